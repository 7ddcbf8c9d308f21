// Fetching the server's JWK Set over HTTP (GET /v1/keys on lmpd's HTTP listener).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace lmp::client {

struct KeysUrl {
  std::string host;
  std::uint16_t port = 80;
  std::string target;  // path and query, "/v1/keys" when the URL has no path

  std::string to_string() const;
};

// Parses "http://host[:port][/path][?query]". Throws ClientError(LMP_ERR_INVALID_ARGUMENT);
// https:// is LMP_ERR_UNSUPPORTED (not yet: give a key file instead).
KeysUrl parse_keys_url(std::string_view text);

// GETs the URL within `timeout` (connecting, sending, reading) and returns the body of a 200
// answer. Throws ClientError: LMP_ERR_UNREACHABLE when the server cannot be reached or does not
// answer in time; LMP_ERR_PROTOCOL for an answer that is not HTTP, not 200, or too large.
std::string fetch_key_set(const KeysUrl& url, std::chrono::milliseconds timeout);

}  // namespace lmp::client
