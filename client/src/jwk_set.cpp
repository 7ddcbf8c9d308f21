// Reading a JWK Set, and checking a token's signature with the server's own Ed25519 verification
// (core/ed25519.hpp, OpenSSL's EVP_DigestVerify).
#include "jwk_set.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstring>

#include "client_error.hpp"
#include "core/base64url.hpp"
#include "core/ed25519.hpp"

namespace lmp::client {
namespace {

namespace json = boost::json;

[[noreturn]] void no_keys(const std::string& why) {
  throw ClientError(LMP_ERR_NO_KEYS, "the key set cannot be used: " + why);
}

bool text_is(const json::object& object, std::string_view key, std::string_view wanted) {
  const json::value* value = object.if_contains(key);
  return value && value->is_string() && value->as_string() == wanted;
}

bool absent_or(const json::object& object, std::string_view key, std::string_view wanted) {
  return !object.contains(key) || text_is(object, key, wanted);
}

}  // namespace

KeySet KeySet::parse(std::string_view text) {
  if (text.size() > kMaxKeySetSize) no_keys("it is larger than 1 MiB");
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec) no_keys("not JSON (" + ec.message() + ")");
  const json::value* keys = value.is_object() ? value.as_object().if_contains("keys") : nullptr;
  if (!keys || !keys->is_array()) no_keys("not a JWK Set (no \"keys\" array)");
  KeySet set;
  for (const json::value& entry : keys->as_array()) {
    if (!entry.is_object()) continue;
    const json::object& jwk = entry.as_object();
    if (!text_is(jwk, "kty", "OKP") || !text_is(jwk, "crv", "Ed25519")) continue;
    if (!absent_or(jwk, "use", "sig") || !absent_or(jwk, "alg", "EdDSA")) continue;
    const json::value* kid = jwk.if_contains("kid");
    const json::value* x = jwk.if_contains("x");
    if (!kid || !kid->is_string() || kid->as_string().empty() || !x || !x->is_string()) continue;
    auto raw = lmp::base64url_decode(x->as_string());
    VerificationKey key;
    if (!raw || raw->size() != key.public_key.size()) continue;
    key.kid = std::string(kid->as_string());
    std::memcpy(key.public_key.data(), raw->data(), raw->size());
    set.keys_.push_back(std::move(key));
  }
  if (set.keys_.empty()) no_keys("it holds no Ed25519 signing key (kty OKP, crv Ed25519)");
  return set;
}

const VerificationKey* KeySet::find(std::string_view kid) const {
  for (const auto& key : keys_)
    if (key.kid == kid) return &key;
  return nullptr;
}

bool signature_valid(const BorrowToken& token, const VerificationKey& key) {
  return lmp::ed25519_verify(
      std::string_view(reinterpret_cast<const char*>(key.public_key.data()), key.public_key.size()),
      token.signing_input, token.signature);
}

}  // namespace lmp::client
