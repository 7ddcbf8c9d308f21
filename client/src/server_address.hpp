// One entry of the client's server list, and the parser of "host:port,host:port" lists.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lmp::client {

inline constexpr std::uint16_t kDefaultPort = 27400;
inline constexpr std::uint16_t kDefaultTlsPort = 27401;  // protocol.md

struct ServerAddress {
  std::string host;
  std::uint16_t port = kDefaultPort;
  bool tls = false;  // a "tls://" entry

  std::string to_string() const;
};

// Parses "[tls://|tcp://]host[:port]" entries separated by commas ("[v6addr]:port" for IPv6
// literals); a tls:// entry's port defaults to 27401. Throws ClientError(LMP_ERR_INVALID_ARGUMENT)
// naming the bad entry.
std::vector<ServerAddress> parse_server_list(std::string_view text);

}  // namespace lmp::client
