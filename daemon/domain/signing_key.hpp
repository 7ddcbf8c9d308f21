// A server signing key (docs/operations.md, "Signing keys"): the Ed25519 key that signs borrowed
// leases' tokens, kept in the database so that every instance on it signs with a key all of
// them publish.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace lmp::domain {

struct SigningKey {
  std::string kid;          // its JWS `kid`: 16 random hex digits
  std::string public_key;   // 32 bytes (raw Ed25519)
  std::string private_key;  // 32 bytes (the seed); empty when only the public key was read
  std::int64_t created_at_ms = 0;
  // When a rotation replaced it; none for the key that signs now.
  std::optional<std::int64_t> retired_at_ms;
  // The latest `exp` (Unix ms) of a token it signed: a retired key stays published until then.
  std::int64_t signed_until_ms = 0;
};

}  // namespace lmp::domain
