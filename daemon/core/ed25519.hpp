// Ed25519 signatures (RFC 8032) through OpenSSL's EVP interface: the server's signing key for
// borrowed-lease tokens (JWS `EdDSA`, RFC 8037). No hand-written crypto: key generation, signing
// and verification are OpenSSL's.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

typedef struct evp_pkey_st EVP_PKEY;

namespace lmp {

inline constexpr std::size_t kEd25519KeySize = 32;  // private seed and public key
inline constexpr std::size_t kEd25519SignatureSize = 64;

// A private key. Thread-safe for sign() and the accessors (OpenSSL's EVP_PKEY is read-only here).
class Ed25519Key {
 public:
  // A new key from OpenSSL's random generator. Throws std::runtime_error when OpenSSL fails.
  static Ed25519Key generate();
  // The key of a 32-byte private seed; nullopt when `seed` is not 32 bytes.
  static std::optional<Ed25519Key> from_private(std::string_view seed);

  std::string private_bytes() const;  // the 32-byte seed
  std::string public_bytes() const;   // the 32-byte public key
  // The 64-byte signature of `message` (EVP_DigestSign with no digest: Ed25519 hashes itself).
  std::string sign(std::string_view message) const;

 private:
  struct Free {
    void operator()(EVP_PKEY* key) const;
  };
  explicit Ed25519Key(EVP_PKEY* key) : key_(key, Free{}) {}  // takes ownership
  std::shared_ptr<EVP_PKEY> key_;
};

// Whether `signature` is `public_key`'s signature of `message`; false for keys or signatures of
// the wrong size.
bool ed25519_verify(std::string_view public_key, std::string_view message,
                    std::string_view signature);

// The 32-byte public key of a PEM `PUBLIC KEY` block (SubjectPublicKeyInfo, as `openssl pkey
// -pubout` writes it); nullopt when the text is not PEM or holds a key of another type.
std::optional<std::string> ed25519_public_key_from_pem(std::string_view pem);
// The PEM form of a 32-byte public key (for tools and tests); empty for a key of another size.
std::string ed25519_public_key_pem(std::string_view public_key);

}  // namespace lmp
