// Token generation and hashing.
#include "domain/credentials.hpp"

#include "core/secure_random.hpp"
#include "core/sha256.hpp"

namespace lmp::domain {

std::string new_token() {
  return "lmp_" + random_hex(20);
}

std::string token_hash(std::string_view token) {
  return sha256_hex(token);
}

IssuedToken issue_token(UnitOfWork& db, std::int64_t user_id, std::int64_t now_ms) {
  for (int attempt = 0;; ++attempt) {
    std::string text = new_token();
    try {
      return {db.users().create_token(user_id, token_hash(text), now_ms), std::move(text)};
    } catch (const DuplicateError&) {
      if (attempt >= 3) throw;
    }
  }
}

}  // namespace lmp::domain
