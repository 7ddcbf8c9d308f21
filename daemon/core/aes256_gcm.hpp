// AES-256-GCM (NIST SP 800-38D) through OpenSSL's EVP interface: authenticated encryption of a
// short value under a 32-byte key, with a 12-byte nonce and a 16-byte tag.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace lmp {

inline constexpr std::size_t kAes256GcmKeySize = 32;
inline constexpr std::size_t kAes256GcmNonceSize = 12;
inline constexpr std::size_t kAes256GcmTagSize = 16;

// `plaintext` encrypted, followed by the tag over it and `associated` (authenticated, not
// encrypted). REQUIRES: key.size() == kAes256GcmKeySize, nonce.size() == kAes256GcmNonceSize, and
// a nonce never used before with this key. Thread-safe. Throws std::runtime_error when OpenSSL
// fails.
std::string aes256_gcm_seal(std::string_view key, std::string_view nonce,
                            std::string_view associated, std::string_view plaintext);

// The plaintext of what aes256_gcm_seal made with the same key, nonce and `associated`; nullopt
// when the tag does not verify (another key, another `associated`, damaged bytes). Thread-safe.
std::optional<std::string> aes256_gcm_open(std::string_view key, std::string_view nonce,
                                           std::string_view associated, std::string_view sealed);

}  // namespace lmp
