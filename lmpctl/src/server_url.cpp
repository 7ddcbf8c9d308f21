// Parsing the --server URL with Boost.URL (RFC 3986), after giving a bare "host[:port]" the
// scheme http.
#include "server_url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>

#include "command_line.hpp"

namespace lmpctl {

namespace urls = boost::urls;

std::string ServerUrl::authority() const {
  const std::string shown = host.find(':') == std::string::npos ? host : "[" + host + "]";
  return shown + ":" + std::to_string(port);
}

ServerUrl parse_server_url(const std::string& text) {
  const bool has_scheme = text.find("://") != std::string::npos;
  const std::string absolute = has_scheme ? text : "http://" + text;
  const auto parsed = urls::parse_absolute_uri(absolute);
  if (!parsed)
    throw UsageError("server " + text + ": not a URL (" + parsed.error().message() + ")");
  const urls::url_view& url = *parsed;

  ServerUrl server;
  server.scheme = std::string(url.scheme());
  if (server.scheme != "http" && server.scheme != "https")
    throw UsageError("server " + text + ": the scheme must be http or https");
  if (url.has_userinfo() || url.has_query() || url.has_fragment())
    throw UsageError("server " + text + ": only a scheme, a host, a port and a path are allowed");
  // Without the brackets of an IPv6 literal.
  server.host = url.host_address();
  if (server.host.empty()) throw UsageError("server " + text + ": no host");
  if (url.has_port()) {
    const std::string port_text(url.port());
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535)
      throw UsageError("server " + text + ": the port must be 1 to 65535");
    server.port = static_cast<std::uint16_t>(value);
  }
  server.base_path = std::string(url.encoded_path());
  while (server.base_path.ends_with("/")) server.base_path.pop_back();
  return server;
}

}  // namespace lmpctl
