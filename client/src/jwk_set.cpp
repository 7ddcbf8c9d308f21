// Reading a JWK Set and checking an Ed25519 signature with EVP_DigestVerify (EdDSA has no
// separate digest: the whole message goes in one call).
#include "jwk_set.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstring>
#include <memory>

#include "base64url.hpp"
#include "client_error.hpp"

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
    auto raw = decode_base64url(x->as_string());
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
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.public_key.data(),
                                  key.public_key.size()),
      &EVP_PKEY_free);
  if (!pkey) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1)
    return false;
  bool valid =
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(token.signature.data()),
                       token.signature.size(),
                       reinterpret_cast<const unsigned char*>(token.signing_input.data()),
                       token.signing_input.size()) == 1;
  // A failed check leaves OpenSSL errors on this thread's queue, where a later TLS call of the
  // same thread would find them.
  ERR_clear_error();
  return valid;
}

}  // namespace lmp::client
