// SHA-256 through OpenSSL's EVP interface.
#include "core/sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

#include "core/hex.hpp"

namespace lmp {

namespace {

// EVP_sha256() makes OpenSSL 3 look the implementation up in its provider tables, under a lock,
// at every digest: a sixth of the storage thread's time at 16x32 went there, since every
// checkout hashes its activation code. Fetched once, the algorithm is reused; an EVP_MD is
// safe to share between threads. Never freed: it lives as long as the process.
const EVP_MD* sha256_md() {
  static const EVP_MD* const md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
  }();
  return md;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // EVP_Digest only fails when OpenSSL cannot allocate its context; callers treat that like any
  // other allocation failure.
  if (EVP_Digest(data.data(), data.size(), digest, &length, sha256_md(), nullptr) != 1) {
    throw std::runtime_error("sha256_hex: EVP_Digest failed");
  }
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace lmp
