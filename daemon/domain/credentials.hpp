// Bearer tokens of the admin API: drawn from the kernel CSPRNG, shown once, stored as a SHA-256
// digest only.
#pragma once

#include <cstdint>
#include <optional>
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

// When a new token expires: at `expires_ms`, or `days` days after it is made; neither: never.
struct TokenExpiry {
  std::optional<std::int64_t> expires_ms;
  std::optional<std::int64_t> days;
};

// The expiry of a token made at `now_ms`; throws DomainError bad_request when both are given, or
// when the time is not later than `now_ms` (a token that could never be used).
std::optional<std::int64_t> token_expiry(const TokenExpiry& expiry, std::int64_t now_ms);

// Draws a token for `user_id` (a new one on the astronomically rare hash clash), stores its hash
// and returns the token with its row. REQUIRES: inside the unit of work's write transaction;
// `expires_at_ms` checked by token_expiry.
IssuedToken issue_token(UnitOfWork& db, std::int64_t user_id, std::int64_t now_ms,
                        std::optional<std::int64_t> expires_at_ms = std::nullopt);

}  // namespace lmp::domain
