// A webhook receiver's URL, read once by Boost.URL (RFC 3986) for both the check when a webhook
// is made and the client that posts to it, so that the two never read one URL differently.
#pragma once

#include <string>

namespace lmp::domain {

struct WebhookUrl {
  bool tls = false;    // https
  std::string host;    // a name or an address, without the brackets of an IPv6 literal
  std::string port;    // the URL's, else 80 (http) or 443 (https)
  std::string target;  // the path and query, "/" when the URL has none
};

// The parts of `url`. Throws DomainError bad_request naming what is wrong unless it is an http or
// https URL of at most 2048 printable ASCII characters with a host, no credentials (the signature
// is the receiver's check) and no fragment.
WebhookUrl parse_webhook_url(const std::string& url);

}  // namespace lmp::domain
