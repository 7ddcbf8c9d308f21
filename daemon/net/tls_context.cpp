// Building server TLS contexts with OpenSSL: certificate chain, key, client CAs and the
// protocol floor; every failure names the file it came from.
#include "net/tls_context.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace lmp::net {
namespace {

namespace ssl = boost::asio::ssl;

// The reason of the oldest queued OpenSSL error ("" when none), clearing the queue.
std::string openssl_error() {
  unsigned long code = ERR_get_error();
  std::string text;
  if (code != 0) {
    const char* reason = ERR_reason_error_string(code);
    text = reason ? reason : "error " + std::to_string(code);
  }
  ERR_clear_error();
  return text;
}

// OpenSSL's own message for a missing file is "system library"; say what the system said.
void check_readable(const std::string& path, const std::string& setting) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr)
    throw TlsError(setting + ": cannot read " + path + ": " + std::strerror(errno));
  std::fclose(file);
}

std::string text_of(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

CertificateSummary summarize(X509* certificate) {
  CertificateSummary summary;
  if (certificate == nullptr) return summary;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(certificate), 0, XN_FLAG_RFC2253);
  summary.subject = text_of(bio.get());
  std::unique_ptr<BIGNUM, decltype(&BN_free)> serial(
      ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr), BN_free);
  if (serial) {
    char* hex = BN_bn2hex(serial.get());
    summary.serial = hex;
    OPENSSL_free(hex);
  }
  std::tm end{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(certificate), &end) == 1) {
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &end);
    summary.not_after = text;
  }
  return summary;
}

}  // namespace

ServerTlsContext load_server_tls(const config::Tls& tls, const std::string& setting) {
  ERR_clear_error();
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ctx, tls.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION);
  // No client of lmpd resumes sessions; tickets would only cost bytes after every handshake.
  SSL_CTX_set_num_tickets(ctx, 0);

  const std::string certificate_setting = setting + ".certificate";
  check_readable(tls.certificate_file, certificate_setting);
  if (SSL_CTX_use_certificate_chain_file(ctx, tls.certificate_file.c_str()) != 1)
    throw TlsError(certificate_setting + ": " + tls.certificate_file +
                   " holds no usable PEM certificate (" + openssl_error() + ")");
  const std::string key_setting = setting + ".private_key";
  check_readable(tls.private_key_file, key_setting);
  if (SSL_CTX_use_PrivateKey_file(ctx, tls.private_key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    // OpenSSL compares the key with the certificate while loading it.
    const unsigned long code = ERR_peek_error();
    if (ERR_GET_LIB(code) == ERR_LIB_X509 && ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH) {
      ERR_clear_error();
      throw TlsError(key_setting + ": " + tls.private_key_file +
                     " is not the key of the certificate in " + tls.certificate_file);
    }
    throw TlsError(key_setting + ": " + tls.private_key_file +
                   " holds no usable PEM private key (" + openssl_error() + ")");
  }
  if (SSL_CTX_check_private_key(ctx) != 1)
    throw TlsError(key_setting + ": " + tls.private_key_file +
                   " is not the key of the certificate in " + tls.certificate_file);

  if (!tls.client_ca_file.empty()) {
    const std::string ca_setting = setting + ".client_ca";
    check_readable(tls.client_ca_file, ca_setting);
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file.c_str());
    if (names == nullptr ||
        SSL_CTX_load_verify_locations(ctx, tls.client_ca_file.c_str(), nullptr) != 1) {
      if (names != nullptr) sk_X509_NAME_pop_free(names, X509_NAME_free);
      throw TlsError(ca_setting + ": " + tls.client_ca_file +
                     " holds no usable PEM CA certificate (" + openssl_error() + ")");
    }
    SSL_CTX_set_client_CA_list(ctx, names);  // takes ownership
    int mode = SSL_VERIFY_PEER;
    if (tls.require_client_certificate) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(ctx, mode, nullptr);
    static const unsigned char kSessionContext[] = "lmpd";
    SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  }
  ServerTlsContext loaded;
  loaded.certificate = summarize(SSL_CTX_get0_certificate(ctx));
  loaded.context = std::move(context);
  return loaded;
}

std::string_view handshake_failure_reason(const boost::system::error_code& ec) {
  if (ec == boost::asio::error::eof || ec == boost::asio::ssl::error::stream_truncated ||
      ec == boost::asio::error::connection_reset || ec == boost::asio::error::broken_pipe)
    return "closed";
  if (ec.category() == boost::asio::error::get_ssl_category()) {
    switch (ERR_GET_REASON(static_cast<unsigned long>(ec.value()))) {
      case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
        return "no_client_certificate";
      case SSL_R_CERTIFICATE_VERIFY_FAILED:
        return "bad_client_certificate";
      case SSL_R_WRONG_VERSION_NUMBER:
      case SSL_R_HTTP_REQUEST:
      case SSL_R_HTTPS_PROXY_REQUEST:
      case SSL_R_PACKET_LENGTH_TOO_LONG:
      case SSL_R_RECORD_LENGTH_MISMATCH:
      case SSL_R_UNKNOWN_PROTOCOL:
        return "not_tls";
      // The client's alert: it does not trust the certificate lmpd served.
      case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
      case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
      case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
      case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
      case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
        return "server_certificate_refused";
      default:
        break;
    }
  }
  return "protocol";
}

}  // namespace lmp::net
