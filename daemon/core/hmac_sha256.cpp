// HMAC-SHA256 over OpenSSL 3's EVP_MAC "HMAC". EVP_MAC_init with no key keeps the key of the
// first init, so a message costs no key schedule.
#include "core/hmac_sha256.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <stdexcept>

#include "core/hex.hpp"

namespace lmp {
namespace {

// Fetched once, as core/sha256.cpp fetches its digest: OpenSSL 3 looks an algorithm up under a
// lock otherwise. An EVP_MAC may be shared between threads; never freed.
EVP_MAC* hmac() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) throw std::runtime_error("HMAC-SHA256: OpenSSL has no HMAC");
  return mac;
}

void check(int ok) {
  if (ok != 1) throw std::runtime_error("HMAC-SHA256: an OpenSSL MAC call failed");
}

}  // namespace

HmacSha256::HmacSha256(std::string_view key) {
  context_ = EVP_MAC_CTX_new(hmac());
  if (context_ == nullptr) throw std::runtime_error("HMAC-SHA256: out of memory");
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(context_, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                   params) != 1) {
    EVP_MAC_CTX_free(context_);
    throw std::runtime_error("HMAC-SHA256: cannot set the key");
  }
}

HmacSha256::~HmacSha256() {
  EVP_MAC_CTX_free(context_);
}

HmacSha256::Digest HmacSha256::digest(std::initializer_list<std::string_view> parts) {
  check(EVP_MAC_init(context_, nullptr, 0, nullptr));
  for (std::string_view part : parts)
    check(
        EVP_MAC_update(context_, reinterpret_cast<const unsigned char*>(part.data()), part.size()));
  Digest out{};
  std::size_t length = 0;
  check(EVP_MAC_final(context_, out.data(), &length, out.size()));
  if (length != kSize) throw std::runtime_error("HMAC-SHA256: the MAC is not 32 bytes");
  return out;
}

std::string HmacSha256::hex(std::initializer_list<std::string_view> parts) {
  const Digest mac = digest(parts);
  return to_hex(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

}  // namespace lmp
