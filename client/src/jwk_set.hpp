// The server's public keys as a JWK Set (RFC 7517; Ed25519 keys as RFC 8037 "OKP" keys) and the
// check of a borrow token's signature against one of them.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "borrow_token.hpp"

namespace lmp::client {

// Larger than any key set lmpd publishes (a few keys of ~150 bytes each).
inline constexpr std::size_t kMaxKeySetSize = 1 << 20;

struct VerificationKey {
  std::string kid;
  std::array<unsigned char, 32> public_key{};
};

class KeySet {
 public:
  // Parses a JWK Set, keeping its Ed25519 signing keys (kty OKP, crv Ed25519, with a kid, use
  // "sig" or none, alg EdDSA or none) and leaving out any other key, which a set may hold. Throws
  // ClientError(LMP_ERR_NO_KEYS) when the text is not a JWK Set or holds no such key.
  static KeySet parse(std::string_view text);

  // The key with this kid, or null.
  const VerificationKey* find(std::string_view kid) const;
  bool empty() const { return keys_.empty(); }

 private:
  std::vector<VerificationKey> keys_;
};

// Whether `token`'s signature is `key`'s Ed25519 signature of its signing input.
bool signature_valid(const BorrowToken& token, const VerificationKey& key);

}  // namespace lmp::client
