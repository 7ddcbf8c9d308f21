// Parsing of the server list given to lmp_client_new and lmp-run --server.
#include "server_address.hpp"

#include <charconv>

#include "client_error.hpp"

namespace lmp::client {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

[[noreturn]] void bad_entry(std::string_view entry, const char* why) {
  throw ClientError(LMP_ERR_INVALID_ARGUMENT,
                    "bad server '" + std::string(entry) + "': " + why + " (expected HOST:PORT)");
}

ServerAddress parse_entry(std::string_view entry) {
  ServerAddress address;
  if (entry.starts_with("tls://")) {
    entry.remove_prefix(6);
    address.tls = true;
    address.port = kDefaultTlsPort;
  } else if (entry.starts_with("tcp://")) {
    entry.remove_prefix(6);
  }
  std::string_view port_text;
  if (entry.starts_with("[")) {
    auto close = entry.find(']');
    if (close == std::string_view::npos) bad_entry(entry, "unclosed '['");
    address.host = std::string(entry.substr(1, close - 1));
    auto rest = entry.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(":")) bad_entry(entry, "junk after ']'");
    if (!rest.empty()) port_text = rest.substr(1);
  } else {
    auto colon = entry.rfind(':');
    if (colon != std::string_view::npos && entry.find(':') != colon)
      bad_entry(entry, "IPv6 addresses need brackets");
    address.host = std::string(entry.substr(0, colon));
    if (colon != std::string_view::npos) port_text = entry.substr(colon + 1);
  }
  if (address.host.empty()) bad_entry(entry, "no host");
  if (!port_text.empty() || entry.ends_with(":")) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535)
      bad_entry(entry, "the port must be 1 to 65535");
    address.port = static_cast<std::uint16_t>(port);
  }
  return address;
}

}  // namespace

std::string ServerAddress::to_string() const {
  bool v6 = host.find(':') != std::string::npos;
  return std::string(tls ? "tls://" : "") + (v6 ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

std::vector<ServerAddress> parse_server_list(std::string_view text) {
  std::vector<ServerAddress> servers;
  while (true) {
    auto comma = text.find(',');
    auto entry = trim(text.substr(0, comma));
    if (entry.empty()) bad_entry(entry, "empty entry");
    servers.push_back(parse_entry(entry));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return servers;
}

}  // namespace lmp::client
