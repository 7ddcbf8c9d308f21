// The connect every test client starts with: a TCP socket to a port on 127.0.0.1.
#pragma once

#include <cstdint>
#include <string>

namespace lmp::test {

// A blocking socket connected to 127.0.0.1:port (TCP_NODELAY on), from `source_address` when
// given (another loopback address such as 127.0.0.2 looks like another client). Throws
// std::runtime_error saying why it cannot.
int connect_loopback(std::uint16_t port, const std::string& source_address = "");

}  // namespace lmp::test
