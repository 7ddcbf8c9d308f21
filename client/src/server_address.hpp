// One entry of the client's server list, and the parser of "host:port,host:port" lists.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lmp::client {

inline constexpr std::uint16_t kDefaultPort = 27400;

struct ServerAddress {
  std::string host;
  std::uint16_t port = kDefaultPort;

  std::string to_string() const;
};

// Parses "host[:port]" entries separated by commas ("[v6addr]:port" for IPv6 literals). Throws
// ClientError(LMP_ERR_INVALID_ARGUMENT) naming the bad entry, or LMP_ERR_UNSUPPORTED for a
// "tls://" entry (the server has no TLS listener yet).
std::vector<ServerAddress> parse_server_list(std::string_view text);

}  // namespace lmp::client
