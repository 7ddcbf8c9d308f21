// scrypt (RFC 7914), the memory-hard key derivation that hashes users' passwords, through
// OpenSSL 3's EVP_KDF.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lmp {

// The cost of one derivation: N = 2^log2_n, block size r, parallelism p. Memory is 128 * N * r
// bytes.
struct ScryptCost {
  int log2_n = 15;
  std::uint32_t r = 8;
  std::uint32_t p = 1;
};

// `length` bytes derived from `password` and `salt`. Throws std::runtime_error when OpenSSL
// refuses the cost (out of its limits) or cannot allocate.
std::string scrypt(std::string_view password, std::string_view salt, const ScryptCost& cost,
                   std::size_t length);

// Whether `password` and `salt` derive `expected` at `cost`, the bytes compared in constant time
// (OpenSSL's CRYPTO_memcmp). Throws as scrypt() does.
bool scrypt_matches(std::string_view password, std::string_view salt, const ScryptCost& cost,
                    std::string_view expected);

}  // namespace lmp
