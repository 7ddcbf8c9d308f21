// The offline check of a stored borrow token: signature against the server's key set, this
// host, expiry, and the clock guard kept beside the token.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "borrow_token.hpp"
#include "keys_fetch.hpp"

namespace lmp::client {

// A clock behind the latest time seen by more than this fails the check (NTP corrections and
// time-zone mistakes stay well inside it; moving the calendar back to stretch a borrow does not).
inline constexpr std::int64_t kClockTolerance = 3600;

// Where the keys come from: a JWK Set file the caller gave, otherwise the cache beside the token,
// refreshed from `url` when the cache lacks the token's key.
struct KeySource {
  std::string file;
  std::optional<KeysUrl> url;
  std::chrono::milliseconds timeout{5000};
  // The CAs an https:// url's server must chain to; null: the system's trusted CAs.
  std::shared_ptr<const TlsSettings> tls = nullptr;
};

// Checks the token in `token_path` for `host` at Unix time `now`; on success advances the clock
// guard to `now` and returns the token. Throws ClientError with LMP_ERR_NOT_BORROWED,
// LMP_ERR_TOKEN_MALFORMED, LMP_ERR_NO_KEYS, LMP_ERR_TOKEN_UNKNOWN_KEY,
// LMP_ERR_TOKEN_BAD_SIGNATURE, LMP_ERR_TOKEN_OTHER_HOST, LMP_ERR_CLOCK_MOVED_BACK or
// LMP_ERR_TOKEN_EXPIRED (checked in that order), or LMP_ERR_INVALID_ARGUMENT for a file that
// cannot be read or written.
BorrowToken check_borrowed(const std::string& token_path, const KeySource& keys,
                           std::string_view host, std::int64_t now);

// The token stored in `token_path`, parsed but not checked. Throws LMP_ERR_NOT_BORROWED,
// LMP_ERR_TOKEN_MALFORMED or LMP_ERR_INVALID_ARGUMENT.
BorrowToken read_borrow_token(const std::string& token_path);

// Stores a token the server just signed: the token file and a clock guard at the later of `now`
// and its iat.
void store_borrow_token(const std::string& token_path, const std::string& compact,
                        const BorrowToken& token, std::int64_t now);

// Fetches the key set from `source.url` (set) into the cache beside `token_path`; returns the
// set. Throws as fetch_key_set, or LMP_ERR_NO_KEYS when the answer is not a usable key set.
std::string refresh_key_cache(const std::string& token_path, const KeySource& source);

}  // namespace lmp::client
