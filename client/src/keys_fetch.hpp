// Fetching the server's JWK Set over HTTP or HTTPS (GET /v1/keys on lmpd's HTTP listener).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace lmp::client {

class TlsSettings;

struct KeysUrl {
  bool tls = false;  // https://
  std::string host;
  std::uint16_t port = 80;
  std::string target;  // path and query, "/v1/keys" when the URL has no path

  std::string to_string() const;
};

// Parses "http[s]://host[:port][/path][?query]" (port 80 or 443 when left out). Throws
// ClientError(LMP_ERR_INVALID_ARGUMENT).
KeysUrl parse_keys_url(std::string_view text);

// GETs the URL within `timeout` (connecting, the TLS handshake, sending, reading) and returns the
// body of a 200 answer. An https URL's server is verified against `tls` (its CA file), or the
// system's trusted CAs when `tls` is null, and must be named by its certificate. Throws
// ClientError: LMP_ERR_UNREACHABLE when the server cannot be reached, fails the verification or
// does not answer in time; LMP_ERR_PROTOCOL for an answer that is not HTTP, not 200, or too large.
std::string fetch_key_set(const KeysUrl& url, const TlsSettings* tls,
                          std::chrono::milliseconds timeout);

}  // namespace lmp::client
