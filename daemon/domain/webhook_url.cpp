// Reading a webhook receiver's URL (webhook_url.hpp).
#include "domain/webhook_url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>
#include <string>

#include "domain/domain_error.hpp"

namespace lmp::domain {

namespace {
constexpr std::size_t kMaxUrlLength = 2048;

// A host name as DNS takes it. The URL's host is percent-decoded, so "%0d%0a" or "%2f" in it
// would otherwise reach the resolver, the Host header and SNI as control characters or slashes
// (found by fuzz_webhook_url).
bool is_host_name_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}
}  // namespace

WebhookUrl parse_webhook_url(const std::string& text) {
  if (text.size() > kMaxUrlLength) throw bad_request("url is longer than 2048 characters");
  for (const char c : text)
    if (c <= ' ' || c > '~') throw bad_request("url must be printable ASCII without spaces");
  const auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) throw bad_request("url is not a URL (" + parsed.error().message() + ")");
  const boost::urls::url_view& url = *parsed;
  WebhookUrl out;
  if (url.scheme() == "https")
    out.tls = true;
  else if (url.scheme() != "http")
    throw bad_request("url must start with http:// or https://");
  if (url.has_userinfo()) throw bad_request("url must not carry credentials");
  if (url.has_fragment()) throw bad_request("url must not have a fragment");
  out.host = url.host_address();
  if (out.host.empty()) throw bad_request("url has no host");
  if (url.host_type() == boost::urls::host_type::ipvfuture)
    throw bad_request("url's host must be a name or an IPv4 or IPv6 address");
  if (url.host_type() == boost::urls::host_type::name)
    for (const char c : out.host)
      if (!is_host_name_character(c))
        throw bad_request("url's host must be a name of letters, digits, '-', '.' and '_'");
  out.port = out.tls ? "443" : "80";
  if (url.has_port()) {
    const std::string port(url.port());
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      throw bad_request("url's port must be 1 to 65535");
    out.port = std::to_string(value);  // "08080" is 8080: one spelling for the resolver
  }
  out.target = std::string(url.encoded_target());
  if (out.target.empty() || out.target.front() != '/') out.target.insert(0, "/");
  return out;
}

}  // namespace lmp::domain
