// Bearer tokens of the admin API: drawn from the kernel CSPRNG, shown once, stored as a SHA-256
// digest only.
#pragma once

#include <string>
#include <string_view>

#include "domain/token.hpp"
#include "domain/unit_of_work.hpp"

namespace lmp::domain {

// "lmp_" and 40 hex digits: 160 random bits. The prefix makes a leaked token easy to spot
// (secret scanners, logs).
std::string new_token();
// The digest stored and looked up in place of the token.
std::string token_hash(std::string_view token);

struct IssuedToken {
  Token token;
  std::string text;  // the only copy: the database keeps its hash
};

// Draws a token for `user_id` (a new one on the astronomically rare hash clash), stores its hash
// and returns the token with its row. REQUIRES: inside the unit of work's write transaction.
IssuedToken issue_token(UnitOfWork& db, std::int64_t user_id, std::int64_t now_ms);

}  // namespace lmp::domain
