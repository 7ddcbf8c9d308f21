// AES-256-GCM over OpenSSL's EVP_CIPHER interface, one context per call.
#include "core/aes256_gcm.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace lmp {
namespace {

// Fetched once (OpenSSL 3 looks an algorithm up under a lock otherwise); shared between threads,
// never freed.
const EVP_CIPHER* aes256_gcm() {
  static const EVP_CIPHER* const cipher = [] {
    const EVP_CIPHER* fetched = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    return fetched != nullptr ? fetched : EVP_aes_256_gcm();
  }();
  return cipher;
}

struct ContextFree {
  void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};
using Context = std::unique_ptr<EVP_CIPHER_CTX, ContextFree>;

const unsigned char* bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

void check(bool ok) {
  if (!ok) throw std::runtime_error("AES-256-GCM: an OpenSSL cipher call failed");
}

// A context keyed for `encrypt`ing or decrypting, with `associated` already fed in.
Context start(bool encrypt, std::string_view key, std::string_view nonce,
              std::string_view associated) {
  if (key.size() != kAes256GcmKeySize || nonce.size() != kAes256GcmNonceSize)
    throw std::invalid_argument("AES-256-GCM: a key of 32 bytes and a nonce of 12");
  Context context(EVP_CIPHER_CTX_new());
  check(context != nullptr);
  check(EVP_CipherInit_ex(context.get(), aes256_gcm(), nullptr, bytes(key), bytes(nonce),
                          encrypt ? 1 : 0) == 1);
  int length = 0;
  check(EVP_CipherUpdate(context.get(), nullptr, &length, bytes(associated),
                         static_cast<int>(associated.size())) == 1);
  return context;
}

}  // namespace

std::string aes256_gcm_seal(std::string_view key, std::string_view nonce,
                            std::string_view associated, std::string_view plaintext) {
  Context context = start(true, key, nonce, associated);
  std::string out(plaintext.size() + kAes256GcmTagSize, '\0');
  auto* at = reinterpret_cast<unsigned char*>(out.data());
  int length = 0;
  check(EVP_CipherUpdate(context.get(), at, &length, bytes(plaintext),
                         static_cast<int>(plaintext.size())) == 1);
  int final_length = 0;
  check(EVP_CipherFinal_ex(context.get(), at + length, &final_length) == 1);
  check(static_cast<std::size_t>(length + final_length) == plaintext.size());
  check(EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, kAes256GcmTagSize,
                            at + plaintext.size()) == 1);
  return out;
}

std::optional<std::string> aes256_gcm_open(std::string_view key, std::string_view nonce,
                                           std::string_view associated, std::string_view sealed) {
  if (sealed.size() < kAes256GcmTagSize) return std::nullopt;
  const std::string_view ciphertext = sealed.substr(0, sealed.size() - kAes256GcmTagSize);
  std::string tag(sealed.substr(ciphertext.size()));
  Context context = start(false, key, nonce, associated);
  std::string out(ciphertext.size(), '\0');
  auto* at = reinterpret_cast<unsigned char*>(out.data());
  int length = 0;
  check(EVP_CipherUpdate(context.get(), at, &length, bytes(ciphertext),
                         static_cast<int>(ciphertext.size())) == 1);
  check(EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, kAes256GcmTagSize, tag.data()) ==
        1);
  int final_length = 0;
  // Fails exactly when the tag does not verify.
  if (EVP_CipherFinal_ex(context.get(), at + length, &final_length) != 1) return std::nullopt;
  return out;
}

}  // namespace lmp
