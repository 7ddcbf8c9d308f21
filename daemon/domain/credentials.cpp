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

}  // namespace lmp::domain
