// The token of a borrowed lease (docs/protocol.md, "Borrowing"): a JWS in compact serialization
// (RFC 7515) signed with the server's Ed25519 key (`alg` EdDSA, RFC 8037), whose payload names
// the lease, so that a client can prove its seat offline until `exp`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ed25519.hpp"

namespace lmp::domain {

// The payload, with exactly these JSON names (the client library's verifier reads them).
struct BorrowClaims {
  std::string lease;         // "lease": the lease id
  std::int64_t license = 0;  // "license": the license id
  std::string product;       // "product": the product's code
  std::int64_t units = 0;    // "units"
  std::string host;          // "host"
  std::string user;          // "user"
  std::int64_t iat = 0;      // "iat": Unix seconds
  std::int64_t exp = 0;      // "exp": Unix seconds
};

// header.payload.signature, each base64url without padding; the protected header is
// {"alg":"EdDSA","kid":KID,"typ":"JWT"}.
std::string borrow_token(const BorrowClaims& claims, std::string_view kid, const Ed25519Key& key);

// A token read back: its kid and claims, once the signature verified with `public_key`. nullopt
// for anything else (not three parts, not base64url, not JSON of this form, another alg, a bad
// signature). For the server's own tests and tools; clients verify with the client library.
struct VerifiedToken {
  std::string kid;
  BorrowClaims claims;
};
std::optional<std::string> token_kid(std::string_view token);
std::optional<VerifiedToken> verify_borrow_token(std::string_view token,
                                                 std::string_view public_key);

}  // namespace lmp::domain
