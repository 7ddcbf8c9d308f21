// Parsing the --server URL.
#include "server_url.hpp"

#include <charconv>

#include "command_line.hpp"

namespace lmpctl {

std::string ServerUrl::authority() const {
  const std::string shown = host.find(':') == std::string::npos ? host : "[" + host + "]";
  return shown + ":" + std::to_string(port);
}

ServerUrl parse_server_url(const std::string& text) {
  ServerUrl url;
  std::string rest = text;
  if (auto scheme_end = rest.find("://"); scheme_end != std::string::npos) {
    url.scheme = rest.substr(0, scheme_end);
    rest = rest.substr(scheme_end + 3);
  } else {
    url.scheme = "http";
  }
  if (url.scheme != "http" && url.scheme != "https")
    throw UsageError("server " + text + ": the scheme must be http or https");
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    url.base_path = rest.substr(slash);
    rest = rest.substr(0, slash);
    while (url.base_path.ends_with("/")) url.base_path.pop_back();
  }
  std::string port_text;
  if (rest.starts_with("[")) {
    const auto close = rest.find(']');
    if (close == std::string::npos) throw UsageError("server " + text + ": unclosed '['");
    url.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') throw UsageError("server " + text + ": expected ':' after ']'");
      port_text = rest.substr(close + 2);
    }
  } else if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    url.host = rest.substr(0, colon);
    port_text = rest.substr(colon + 1);
  } else {
    url.host = rest;
  }
  if (url.host.empty()) throw UsageError("server " + text + ": no host");
  if (!port_text.empty() || rest.ends_with(":")) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535)
      throw UsageError("server " + text + ": the port must be 1 to 65535");
    url.port = static_cast<std::uint16_t>(value);
  }
  return url;
}

}  // namespace lmpctl
