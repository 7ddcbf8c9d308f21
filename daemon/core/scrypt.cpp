// scrypt through EVP_KDF ("SCRYPT" of OpenSSL's default provider).
#include "core/scrypt.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <memory>
#include <stdexcept>

namespace lmp {

std::string scrypt(std::string_view password, std::string_view salt, const ScryptCost& cost,
                   std::size_t length) {
  if (cost.log2_n < 1 || cost.log2_n > 30) throw std::runtime_error("scrypt: N out of range");
  std::unique_ptr<EVP_KDF, decltype(&EVP_KDF_free)> kdf(EVP_KDF_fetch(nullptr, "SCRYPT", nullptr),
                                                        &EVP_KDF_free);
  if (!kdf) throw std::runtime_error("scrypt: OpenSSL has no SCRYPT");
  std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> ctx(EVP_KDF_CTX_new(kdf.get()),
                                                                &EVP_KDF_CTX_free);
  if (!ctx) throw std::runtime_error("scrypt: out of memory");
  std::uint64_t n = std::uint64_t{1} << cost.log2_n;
  std::uint32_t r = cost.r;
  std::uint32_t p = cost.p;
  // OpenSSL's own ceiling is 1 GiB by default; the memory the cost needs, with room, is asked
  // for explicitly so that a raised cost is refused here rather than half-way.
  std::uint64_t max_memory = 128 * n * r * 2 + (std::uint64_t{1} << 20);
  // OSSL_PARAM takes non-const pointers; OpenSSL only reads them.
  std::string pass(password);
  std::string salt_copy(salt);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, pass.data(), pass.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt_copy.data(), salt_copy.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &max_memory),
      OSSL_PARAM_construct_end(),
  };
  std::string out(length, '\0');
  const int ok =
      EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), out.size(), params);
  OPENSSL_cleanse(pass.data(), pass.size());
  if (ok != 1) throw std::runtime_error("scrypt: OpenSSL refused the derivation");
  return out;
}

bool scrypt_matches(std::string_view password, std::string_view salt, const ScryptCost& cost,
                    std::string_view expected) {
  const std::string derived = scrypt(password, salt, cost, expected.size());
  return CRYPTO_memcmp(derived.data(), expected.data(), expected.size()) == 0;
}

}  // namespace lmp
