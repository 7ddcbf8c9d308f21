// The order of the offline check: a token is read and parsed before any key is looked at, the
// signature is proven before its fields are believed, and the clock is judged before expiry
// (a clock moved back would make an expired token look current).
#include "borrow_check.hpp"

#include <algorithm>
#include <charconv>

#include "borrow_files.hpp"
#include "client_error.hpp"
#include "jwk_set.hpp"

namespace lmp::client {
namespace {

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.remove_suffix(1);
  return text;
}

// The latest time a check saw, or 0 when the guard is missing or unreadable: then the token's iat
// is the floor, so deleting the guard gains no more than a fresh borrow would.
std::int64_t guarded_time(const std::string& token_path) {
  auto text = read_file_bounded(clock_guard_path(token_path), 64);
  if (!text) return 0;
  auto digits = trimmed(*text);
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value < 0) return 0;
  return value;
}

void advance_guard(const std::string& token_path, std::int64_t latest) {
  write_file_atomically(clock_guard_path(token_path), std::to_string(latest) + "\n");
}

// The keys to check `token` with, fetched once more when the cache does not know its key.
KeySet keys_for(const BorrowToken& token, const std::string& token_path, const KeySource& source) {
  if (!source.file.empty()) {
    auto text = read_file_bounded(source.file, kMaxKeySetSize);
    if (!text)
      throw ClientError(LMP_ERR_NO_KEYS, "the key set file " + source.file + " does not exist");
    return KeySet::parse(*text);
  }
  std::optional<KeySet> cached;
  std::string cache_problem = "no key set is cached (" + keys_cache_path(token_path) + ")";
  if (auto text = read_file_bounded(keys_cache_path(token_path), kMaxKeySetSize)) {
    try {
      cached = KeySet::parse(*text);
    } catch (const ClientError& e) {
      cache_problem = "the cached key set is unusable: " + std::string(e.what());
    }
  }
  if (cached && cached->find(token.kid)) return std::move(*cached);
  if (!source.url) {
    if (cached) return std::move(*cached);
    throw ClientError(LMP_ERR_NO_KEYS, cache_problem + ", and no keys URL is set");
  }
  try {
    return KeySet::parse(refresh_key_cache(token_path, source));
  } catch (const ClientError& e) {
    // Offline with a cache that lacks the key: the key is unknown, as far as can be known.
    if (cached) return std::move(*cached);
    throw ClientError(LMP_ERR_NO_KEYS, cache_problem + ", and " + e.what());
  }
}

}  // namespace

BorrowToken read_borrow_token(const std::string& token_path) {
  auto text = read_file_bounded(token_path, kMaxTokenSize);
  if (!text)
    throw ClientError(LMP_ERR_NOT_BORROWED, "nothing is borrowed: no token file " + token_path);
  return parse_borrow_token(trimmed(*text));
}

BorrowToken check_borrowed(const std::string& token_path, const KeySource& keys,
                           std::string_view host, std::int64_t now) {
  BorrowToken token = read_borrow_token(token_path);
  KeySet set = keys_for(token, token_path, keys);
  const VerificationKey* key = set.find(token.kid);
  if (!key)
    throw ClientError(LMP_ERR_TOKEN_UNKNOWN_KEY, "the borrow token is signed by key '" +
                                                     token.kid.substr(0, 64) +
                                                     "', which the server's key set lacks");
  if (!signature_valid(token, *key))
    throw ClientError(LMP_ERR_TOKEN_BAD_SIGNATURE,
                      "the borrow token's signature does not match: it was altered");
  if (token.host != host)
    throw ClientError(LMP_ERR_TOKEN_OTHER_HOST, "the borrow token is for host '" +
                                                    token.host.substr(0, 255) +
                                                    "', not this host '" + std::string(host) + "'");
  // The server's signing time is a time this machine has seen too.
  std::int64_t latest = std::max(guarded_time(token_path), token.issued_at);
  if (now < latest - kClockTolerance)
    throw ClientError(LMP_ERR_CLOCK_MOVED_BACK,
                      "the clock says " + std::to_string(now) + ", " +
                          std::to_string(latest - now) + " s before a time already seen (" +
                          std::to_string(latest) + "): it was moved back by more than an hour");
  // Expiry by the later of the clock and the latest time seen: setting the clock back within the
  // tolerance does not stretch a borrow.
  if (std::max(now, latest) >= token.expires_at)
    throw ClientError(LMP_ERR_TOKEN_EXPIRED, "the borrow of lease " + token.lease + " ended at " +
                                                 std::to_string(token.expires_at));
  if (now > latest) advance_guard(token_path, now);
  return token;
}

void store_borrow_token(const std::string& token_path, const std::string& compact,
                        const BorrowToken& token, std::int64_t now) {
  write_file_atomically(token_path, compact + "\n");
  std::int64_t latest = std::max({guarded_time(token_path), token.issued_at, now});
  advance_guard(token_path, latest);
}

std::string refresh_key_cache(const std::string& token_path, const KeySource& source) {
  std::string text = fetch_key_set(*source.url, source.tls.get(), source.timeout);
  KeySet::parse(text);  // only a usable set replaces the cache
  write_file_atomically(keys_cache_path(token_path), text);
  return text;
}

}  // namespace lmp::client
