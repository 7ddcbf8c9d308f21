// libFuzzer target: the one reading of a webhook receiver's URL (domain/webhook_url.hpp), which
// both the check at creation and the client that posts use. Either the URL is refused with
// bad_request and a message, or its parts are whole (a host, a port 1-65535, a target that starts
// with '/') and the URL put back together from them reads to the same parts.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/fuzz_check.hpp"
#include "domain/domain_error.hpp"
#include "domain/webhook_url.hpp"

namespace {

using lmp::fuzz::check;
namespace domain = lmp::domain;

bool whole_port(const std::string& port) {
  if (port.empty() || port.size() > 5) return false;
  for (char c : port)
    if (c < '0' || c > '9') return false;
  const long value = std::stol(port);
  return value >= 1 && value <= 65535;
}

std::string rebuilt(const domain::WebhookUrl& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  return std::string(url.tls ? "https://" : "http://") + (v6 ? "[" + url.host + "]" : url.host) +
         ":" + url.port + url.target;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  domain::WebhookUrl url;
  try {
    url = domain::parse_webhook_url(input);
  } catch (const domain::DomainError& ex) {
    check(ex.code() == domain::ErrorCode::bad_request, "a refusal is bad_request");
    check(std::string(ex.what()).size() > 0, "a refusal says why");
    return 0;
  }
  check(!url.host.empty(), "an accepted URL has a host");
  check(whole_port(url.port), "an accepted URL has a port from 1 to 65535");
  check(!url.target.empty() && url.target.front() == '/', "the target starts with '/'");
  domain::WebhookUrl again;
  try {
    again = domain::parse_webhook_url(rebuilt(url));
  } catch (const domain::DomainError&) {
    check(false, "the URL put back together from its parts is accepted too");
  }
  check(again.tls == url.tls && again.host == url.host && again.port == url.port &&
            again.target == url.target,
        "the URL put back together reads to the same parts");
  return 0;
}
