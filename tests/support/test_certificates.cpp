// X.509 issuance with OpenSSL 3: P-256 keys, SHA-256 signatures, the extensions a TLS peer checks.
#include "support/test_certificates.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <stdexcept>

namespace lmp::test {
namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Certificate = std::unique_ptr<X509, decltype(&X509_free)>;

Key new_key() {
  Key key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  if (!key) throw std::runtime_error("cannot generate a P-256 key");
  return key;
}

void add_extension(X509* certificate, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (extension == nullptr) throw std::runtime_error(std::string("bad extension ") + value);
  X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
}

// Valid from an hour ago (clock skew) for a year.
Certificate new_certificate(EVP_PKEY* key, const std::string& common_name, long serial) {
  Certificate certificate(X509_new(), X509_free);
  X509_set_version(certificate.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 365L * 86400);
  X509_set_pubkey(certificate.get(), key);
  X509_NAME* name = X509_get_subject_name(certificate.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  return certificate;
}

void write_pem(const std::filesystem::path& path, X509* first, X509* second, EVP_PKEY* key) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) throw std::runtime_error("cannot write " + path.string());
  bool ok = true;
  if (first != nullptr) ok = ok && PEM_write_X509(file, first) == 1;
  if (second != nullptr) ok = ok && PEM_write_X509(file, second) == 1;
  if (key != nullptr)
    ok = ok && PEM_write_PrivateKey(file, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  std::fclose(file);
  if (!ok) throw std::runtime_error("cannot write PEM to " + path.string());
}

}  // namespace

struct TestCa::Keys {
  Key key{nullptr, EVP_PKEY_free};
  Certificate certificate{nullptr, X509_free};
};

TestCa::TestCa(const std::filesystem::path& dir, std::string name)
    : keys_(std::make_unique<Keys>()), dir_(dir), certificate_(dir / (name + "-ca.pem")) {
  keys_->key = new_key();
  keys_->certificate = new_certificate(keys_->key.get(), name + " test CA", 1);
  X509* ca = keys_->certificate.get();
  X509_set_issuer_name(ca, X509_get_subject_name(ca));
  add_extension(ca, ca, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(ca, ca, NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(ca, ca, NID_subject_key_identifier, "hash");
  if (X509_sign(ca, keys_->key.get(), EVP_sha256()) == 0)
    throw std::runtime_error("cannot sign the CA certificate");
  write_pem(certificate_, ca, nullptr, nullptr);
}

TestCa::~TestCa() = default;

IssuedCertificate TestCa::issue(const std::string& stem, const std::string& common_name,
                                long serial) {
  Key key = new_key();
  Certificate certificate = new_certificate(key.get(), common_name, serial);
  X509* ca = keys_->certificate.get();
  X509_set_issuer_name(certificate.get(), X509_get_subject_name(ca));
  add_extension(certificate.get(), ca, NID_basic_constraints, "critical,CA:FALSE");
  add_extension(certificate.get(), ca, NID_key_usage, "critical,digitalSignature");
  add_extension(certificate.get(), ca, NID_ext_key_usage, "serverAuth,clientAuth");
  add_extension(certificate.get(), ca, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
  add_extension(certificate.get(), ca, NID_authority_key_identifier, "keyid");
  if (X509_sign(certificate.get(), keys_->key.get(), EVP_sha256()) == 0)
    throw std::runtime_error("cannot sign " + common_name);
  IssuedCertificate issued;
  issued.certificate = dir_ / (stem + ".pem");
  issued.key = dir_ / (stem + "-key.pem");
  write_pem(issued.certificate, certificate.get(), ca, nullptr);
  write_pem(issued.key, nullptr, nullptr, key.get());
  std::unique_ptr<BIGNUM, decltype(&BN_free)> number(
      ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate.get()), nullptr), BN_free);
  char* hex = BN_bn2hex(number.get());
  issued.serial = hex;
  OPENSSL_free(hex);
  return issued;
}

}  // namespace lmp::test
