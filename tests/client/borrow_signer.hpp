// A stand-in for the server's signing key in the client's borrow tests: an Ed25519 key made with
// OpenSSL that signs JWS compact tokens and publishes itself as a JWK Set entry.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace lmp::test {

// What a borrow token's payload says; `payload_json` builds the JSON text lmpd would sign.
struct BorrowClaims {
  std::string lease = "9f3c2a7d5e0b41c8a6d2f1e0b3c4d5e6";
  std::int64_t license = 7;
  std::string product = "cad";
  std::int64_t units = 1;
  std::string host = "laptop-7";
  std::string user = "ana";
  std::int64_t iat = 0;
  std::int64_t exp = 0;

  std::string payload_json() const;
};

std::string base64url(std::string_view bytes);

class TokenSigner {
 public:
  explicit TokenSigner(std::string kid);
  ~TokenSigner();
  TokenSigner(const TokenSigner&) = delete;
  TokenSigner& operator=(const TokenSigner&) = delete;

  const std::string& kid() const { return kid_; }
  // {"kty":"OKP","crv":"Ed25519","x":...,"kid":...,"use":"sig","alg":"EdDSA"}
  std::string jwk() const;
  // Signs HEADER.PAYLOAD with the given JSON texts, as they are.
  std::string sign(std::string_view header_json, std::string_view payload_json) const;
  // A token as lmpd makes it: {"alg":"EdDSA","kid":KID,"typ":"JWT"} over the claims.
  std::string token(const BorrowClaims& claims) const;
  // The Ed25519 signature of `message`, 64 bytes.
  std::string signature(std::string_view message) const;

 private:
  std::string kid_;
  struct Key;
  std::unique_ptr<Key> key_;
};

// {"keys":[...]} of the given JWK texts.
std::string jwk_set(std::initializer_list<std::string> jwks);

}  // namespace lmp::test
