// The rules of the server's signing keys: one made at the first start, rotation (the new key
// signs; the old ones stay published while a token they signed may be valid), and their public
// form, a JWK Set (RFC 7517, OKP keys of RFC 8037) served at GET /v1/keys.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "core/env.hpp"
#include "domain/context.hpp"
#include "domain/signing_key.hpp"
#include "domain/signing_key_repository.hpp"

namespace lmp::domain {

// A new key, not stored: kid and key from `env`'s random bytes and OpenSSL.
SigningKey new_signing_key(std::int64_t now_ms, Env& env);

// The kid of the key that signs: the active one, or one made now when there is none.
// REQUIRES an open write transaction.
std::string ensure_signing_key(SigningKeyRepository& keys, std::int64_t now_ms, Env& env);

// Retires every key and makes a new one, which signs from now on; returns it (public part only).
// REQUIRES an open write transaction.
SigningKey rotate_signing_key(SigningKeyRepository& keys, std::int64_t now_ms, Env& env);

// The API's rotation (POST /v1/keys/rotate, `lmpd admin rotate-signing-key`): only the parent
// account's users and the local operator may; audited as `signing_key.rotate`. Returns the new
// key (public part). REQUIRES the context's write transaction.
SigningKey rotate_signing_key(const Context& ctx, Env& env);

// {"keys":[{"kty":"OKP","crv":"Ed25519","x":...,"kid":...,"use":"sig","alg":"EdDSA"},...]}
boost::json::value jwk_set(const std::vector<SigningKey>& keys);

}  // namespace lmp::domain
