// AES-256-GCM over OpenSSL's EVP_CIPHER interface, with a context per thread and direction that
// keeps the last key's schedule, so that a run of calls under one key (a restart opening every
// stored lease id, the seat path sealing each new one) sets only the nonce.
#include "core/aes256_gcm.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <memory>
#include <stdexcept>
#include <string>

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

[[noreturn]] void fail() {
  throw std::runtime_error("AES-256-GCM: an OpenSSL cipher call failed");
}

void check(bool ok) {
  if (!ok) fail();
}

// A context keyed with `key`, reused while the thread keeps using that key.
struct KeyedContext {
  Context context;
  std::string key;  // a copy of the secret, wiped when replaced or at the thread's end
  KeyedContext() = default;
  KeyedContext(const KeyedContext&) = delete;
  KeyedContext& operator=(const KeyedContext&) = delete;
  ~KeyedContext() { forget(); }
  void forget() {
    if (!key.empty()) OPENSSL_cleanse(key.data(), key.size());
    key.clear();
  }
  // After a failed call the context is in whatever state OpenSSL left it: made anew next time.
  [[noreturn]] void discard_and_fail() {
    forget();
    context.reset();
    fail();
  }
};

const unsigned char* bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

// This thread's context for `encrypt`ing or decrypting, keyed with `key` and started at `nonce`,
// with `associated` already fed in.
EVP_CIPHER_CTX* start(bool encrypt, std::string_view key, std::string_view nonce,
                      std::string_view associated) {
  if (key.size() != kAes256GcmKeySize || nonce.size() != kAes256GcmNonceSize)
    throw std::invalid_argument("AES-256-GCM: a key of 32 bytes and a nonce of 12");
  thread_local KeyedContext contexts[2];
  KeyedContext& keyed = contexts[encrypt ? 1 : 0];
  if (!keyed.context) {
    keyed.context.reset(EVP_CIPHER_CTX_new());
    check(keyed.context != nullptr);
  }
  EVP_CIPHER_CTX* context = keyed.context.get();
  if (keyed.key != key) {
    keyed.forget();
    if (EVP_CipherInit_ex(context, aes256_gcm(), nullptr, bytes(key), bytes(nonce),
                          encrypt ? 1 : 0) != 1)
      keyed.discard_and_fail();
    keyed.key.assign(key);
  } else if (EVP_CipherInit_ex(context, nullptr, nullptr, nullptr, bytes(nonce), encrypt ? 1 : 0) !=
             1) {
    keyed.discard_and_fail();
  }
  int length = 0;
  if (EVP_CipherUpdate(context, nullptr, &length, bytes(associated),
                       static_cast<int>(associated.size())) != 1) {
    keyed.discard_and_fail();
  }
  return context;
}

}  // namespace

std::string aes256_gcm_seal(std::string_view key, std::string_view nonce,
                            std::string_view associated, std::string_view plaintext) {
  EVP_CIPHER_CTX* context = start(true, key, nonce, associated);
  std::string out(plaintext.size() + kAes256GcmTagSize, '\0');
  auto* at = reinterpret_cast<unsigned char*>(out.data());
  int length = 0;
  check(EVP_CipherUpdate(context, at, &length, bytes(plaintext),
                         static_cast<int>(plaintext.size())) == 1);
  int final_length = 0;
  check(EVP_CipherFinal_ex(context, at + length, &final_length) == 1);
  check(static_cast<std::size_t>(length + final_length) == plaintext.size());
  check(EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, kAes256GcmTagSize,
                            at + plaintext.size()) == 1);
  return out;
}

std::optional<std::string> aes256_gcm_open(std::string_view key, std::string_view nonce,
                                           std::string_view associated, std::string_view sealed) {
  if (sealed.size() < kAes256GcmTagSize) return std::nullopt;
  const std::string_view ciphertext = sealed.substr(0, sealed.size() - kAes256GcmTagSize);
  std::string tag(sealed.substr(ciphertext.size()));
  EVP_CIPHER_CTX* context = start(false, key, nonce, associated);
  std::string out(ciphertext.size(), '\0');
  auto* at = reinterpret_cast<unsigned char*>(out.data());
  int length = 0;
  check(EVP_CipherUpdate(context, at, &length, bytes(ciphertext),
                         static_cast<int>(ciphertext.size())) == 1);
  check(EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, kAes256GcmTagSize, tag.data()) == 1);
  int final_length = 0;
  // Fails exactly when the tag does not verify.
  if (EVP_CipherFinal_ex(context, at + length, &final_length) != 1) return std::nullopt;
  return out;
}

}  // namespace lmp
