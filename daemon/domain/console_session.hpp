// A login session of the web console (docs/console.md), as stored: only the SHA-256 of its id is
// kept, with the bearer token it was opened with, so every check of the token applies to it.
#pragma once

#include <cstdint>
#include <string>

namespace lmp::domain {

struct ConsoleSession {
  std::string id_hash;
  std::int64_t token_id = 0;
  std::int64_t created_at_ms = 0;
  std::int64_t expires_at_ms = 0;  // refused from this time on
};

}  // namespace lmp::domain
