// Ed25519 over OpenSSL 3: EVP_PKEY_ED25519 keys, one-shot EVP_DigestSign/Verify with a NULL md.
#include "core/ed25519.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <stdexcept>

namespace lmp {
namespace {

using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

std::string raw_key(EVP_PKEY* key, int (*get)(const EVP_PKEY*, unsigned char*, size_t*)) {
  std::string out(kEd25519KeySize, '\0');
  size_t size = out.size();
  if (get(key, reinterpret_cast<unsigned char*>(out.data()), &size) != 1 || size != kEd25519KeySize)
    throw std::runtime_error("Ed25519: OpenSSL could not export the key");
  return out;
}

}  // namespace

void Ed25519Key::Free::operator()(EVP_PKEY* key) const {
  EVP_PKEY_free(key);
}

Ed25519Key Ed25519Key::generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (key == nullptr) throw std::runtime_error("Ed25519: OpenSSL could not make a key");
  return Ed25519Key(key);
}

std::optional<Ed25519Key> Ed25519Key::from_private(std::string_view seed) {
  if (seed.size() != kEd25519KeySize) return std::nullopt;
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size());
  if (key == nullptr) return std::nullopt;
  return Ed25519Key(key);
}

std::string Ed25519Key::private_bytes() const {
  return raw_key(key_.get(), EVP_PKEY_get_raw_private_key);
}

std::string Ed25519Key::public_bytes() const {
  return raw_key(key_.get(), EVP_PKEY_get_raw_public_key);
}

std::string Ed25519Key::sign(std::string_view message) const {
  MdCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::string signature(kEd25519SignatureSize, '\0');
  size_t size = signature.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      size != kEd25519SignatureSize)
    throw std::runtime_error("Ed25519: OpenSSL could not sign");
  return signature;
}

bool ed25519_verify(std::string_view public_key, std::string_view message,
                    std::string_view signature) {
  if (public_key.size() != kEd25519KeySize || signature.size() != kEd25519SignatureSize)
    return false;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                  reinterpret_cast<const unsigned char*>(public_key.data()),
                                  public_key.size()),
      &EVP_PKEY_free);
  MdCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  const bool valid =
      key && ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  // A failed check leaves OpenSSL errors on this thread's queue, where a later TLS call of the
  // same thread (the client's) would find them.
  ERR_clear_error();
  return valid;
}

std::optional<std::string> ed25519_public_key_from_pem(std::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) return std::nullopt;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  // A failed read leaves errors on this thread's queue, where a later TLS call would find them.
  ERR_clear_error();
  if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) return std::nullopt;
  return raw_key(key.get(), EVP_PKEY_get_raw_public_key);
}

std::string ed25519_public_key_pem(std::string_view public_key) {
  if (public_key.size() != kEd25519KeySize) return {};
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                  reinterpret_cast<const unsigned char*>(public_key.data()),
                                  public_key.size()),
      &EVP_PKEY_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!key || !bio || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1) return {};
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace lmp
