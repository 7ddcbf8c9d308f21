// A login session of the web console (docs/console.md), as stored: only the SHA-256 of its id is
// kept, with the user it acts as and the bearer token it was opened with (if it was), so every
// check of the token or of the user applies to it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace lmp::domain {

struct ConsoleSession {
  std::string id_hash;
  std::int64_t user_id = 0;
  // The token it was opened with; none for a login with the user's password.
  std::optional<std::int64_t> token_id;
  std::int64_t created_at_ms = 0;
  std::int64_t expires_at_ms = 0;  // refused from this time on
};

}  // namespace lmp::domain
