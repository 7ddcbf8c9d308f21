// Token generation, hashing and expiry.
#include "domain/credentials.hpp"

#include "core/secure_random.hpp"
#include "core/sha256.hpp"
#include "domain/request_checks.hpp"

namespace lmp::domain {

std::string new_token() {
  return "lmp_" + random_hex(20);
}

std::string token_hash(std::string_view token) {
  return sha256_hex(token);
}

std::optional<std::int64_t> token_expiry(const TokenExpiry& expiry, std::int64_t now_ms) {
  const auto expires = new_expiry(expiry.expires_ms, expiry.days, now_ms);
  if (expires && *expires <= now_ms) throw bad_request("expires must be in the future");
  return expires;
}

IssuedToken issue_token(UnitOfWork& db, std::int64_t user_id, std::int64_t now_ms,
                        std::optional<std::int64_t> expires_at_ms) {
  for (int attempt = 0;; ++attempt) {
    std::string text = new_token();
    try {
      return {db.users().create_token(user_id, token_hash(text), now_ms, expires_at_ms),
              std::move(text)};
    } catch (const DuplicateError&) {
      if (attempt >= 3) throw;
    }
  }
}

}  // namespace lmp::domain
