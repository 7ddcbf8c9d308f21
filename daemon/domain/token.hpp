// A bearer token of a user, as stored: only its SHA-256 is kept (domain/credentials.hpp).
#pragma once

#include <cstdint>
#include <optional>

namespace lmp::domain {

struct Token {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::int64_t created_at_ms = 0;
  std::optional<std::int64_t> revoked_at_ms;
  std::optional<std::int64_t> expires_at_ms;  // none: it never expires

  // From its expiry on it is refused, as a revoked one is (domain/caller.hpp).
  bool expired_at(std::int64_t now_ms) const { return expires_at_ms && now_ms >= *expires_at_ms; }
};

}  // namespace lmp::domain
