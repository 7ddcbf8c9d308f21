// The plain-TCP transport: POSIX sockets, non-blocking, every wait a poll() with a deadline.
#pragma once

#include <memory>

#include "server_address.hpp"
#include "transport.hpp"

namespace lmp::client {

// Resolves and connects to `server` before the deadline (each resolved address in turn).
// Name resolution uses the system resolver and its own timeouts (resolv.conf). Throws
// ClientError(LMP_ERR_UNREACHABLE) naming the server and the cause.
std::unique_ptr<Transport> connect_tcp(const ServerAddress& server, Deadline deadline);

}  // namespace lmp::client
