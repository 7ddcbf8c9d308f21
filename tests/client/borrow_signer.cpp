// Signing test tokens with OpenSSL's EVP interface (Ed25519 has no digest of its own: the whole
// message goes to EVP_DigestSign).
#include "borrow_signer.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace lmp::test {

struct TokenSigner::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

std::string BorrowClaims::payload_json() const {
  return "{\"lease\":\"" + lease + "\",\"license\":" + std::to_string(license) + ",\"product\":\"" +
         product + "\",\"units\":" + std::to_string(units) + ",\"host\":\"" + host +
         "\",\"user\":\"" + user + "\",\"iat\":" + std::to_string(iat) +
         ",\"exp\":" + std::to_string(exp) + "}";
}

// The test's own encoder, not the library's: a mistake there must not be mirrored here.
std::string base64url(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  std::string url;
  for (char c : out) {
    if (c == '=') break;
    url += c == '+' ? '-' : c == '/' ? '_' : c;
  }
  return url;
}

TokenSigner::TokenSigner(std::string kid) : kid_(std::move(kid)), key_(std::make_unique<Key>()) {
  key_->pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (!key_->pkey) throw std::runtime_error("cannot make an Ed25519 key");
}

TokenSigner::~TokenSigner() = default;

std::string TokenSigner::jwk() const {
  unsigned char raw[32];
  std::size_t size = sizeof raw;
  if (EVP_PKEY_get_raw_public_key(key_->pkey, raw, &size) != 1 || size != sizeof raw)
    throw std::runtime_error("cannot read the public key");
  return "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" +
         base64url(std::string_view(reinterpret_cast<const char*>(raw), size)) + "\",\"kid\":\"" +
         kid_ + "\",\"use\":\"sig\",\"alg\":\"EdDSA\"}";
}

std::string TokenSigner::signature(std::string_view message) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char sig[64];
  std::size_t size = sizeof sig;
  bool ok = ctx && EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key_->pkey) == 1 &&
            EVP_DigestSign(ctx, sig, &size, reinterpret_cast<const unsigned char*>(message.data()),
                           message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) throw std::runtime_error("cannot sign");
  return std::string(reinterpret_cast<const char*>(sig), size);
}

std::string TokenSigner::sign(std::string_view header_json, std::string_view payload_json) const {
  std::string input = base64url(header_json) + "." + base64url(payload_json);
  return input + "." + base64url(signature(input));
}

std::string TokenSigner::token(const BorrowClaims& claims) const {
  return sign("{\"alg\":\"EdDSA\",\"kid\":\"" + kid_ + "\",\"typ\":\"JWT\"}",
              claims.payload_json());
}

std::string jwk_set(std::initializer_list<std::string> jwks) {
  std::string out = "{\"keys\":[";
  bool first = true;
  for (const auto& jwk : jwks) {
    out += (first ? "" : ",") + jwk;
    first = false;
  }
  return out + "]}";
}

}  // namespace lmp::test
