// OpenSSL implementation of the test TLS client: blocking I/O, timeouts through SO_RCVTIMEO.
#include "support/tls_client.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <utility>

#include "support/loopback.hpp"

namespace lmp::test {
namespace {

SSL* as_ssl(void* p) {
  return static_cast<SSL*>(p);
}

std::string openssl_error() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "connection closed";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

void set_timeout(int fd, int option, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv);
}

}  // namespace

TlsClient::TlsClient(std::uint16_t port, const TlsClientOptions& options)
    : fd_(connect_loopback(port)) {
  // OpenSSL writes with write(), not send(MSG_NOSIGNAL): a server that closed first must fail
  // the write, not kill the test program.
  ::signal(SIGPIPE, SIG_IGN);
  set_timeout(fd_, SO_RCVTIMEO, std::chrono::seconds(10));
  set_timeout(fd_, SO_SNDTIMEO, std::chrono::seconds(10));

  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  ctx_ = ctx;
  if (options.tls12_only) SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
  if (!options.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) != 1)
      throw std::runtime_error("cannot load CA " + options.ca_file);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  }
  if (!options.certificate_file.empty() &&
      (SSL_CTX_use_certificate_chain_file(ctx, options.certificate_file.c_str()) != 1 ||
       SSL_CTX_use_PrivateKey_file(ctx, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1))
    throw std::runtime_error("cannot load client certificate " + options.certificate_file);
  SSL* ssl = SSL_new(ctx);
  ssl_ = ssl;
  if (!options.ca_file.empty()) X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1");
  SSL_set_fd(ssl, fd_);
  ERR_clear_error();
  if (SSL_connect(ssl) != 1) handshake_error_ = openssl_error();
}

TlsClient::~TlsClient() {
  if (ssl_ != nullptr) SSL_free(as_ssl(ssl_));
  if (ctx_ != nullptr) SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
  if (fd_ >= 0) ::close(fd_);
}

std::string TlsClient::server_serial() const {
  std::unique_ptr<X509, decltype(&X509_free)> peer(SSL_get1_peer_certificate(as_ssl(ssl_)),
                                                   X509_free);
  if (!peer) return {};
  std::unique_ptr<BIGNUM, decltype(&BN_free)> number(
      ASN1_INTEGER_to_BN(X509_get0_serialNumber(peer.get()), nullptr), BN_free);
  char* hex = BN_bn2hex(number.get());
  std::string serial = hex;
  OPENSSL_free(hex);
  return serial;
}

std::string TlsClient::server_subject() const {
  std::unique_ptr<X509, decltype(&X509_free)> peer(SSL_get1_peer_certificate(as_ssl(ssl_)),
                                                   X509_free);
  if (!peer) return {};
  char text[256];
  X509_NAME_oneline(X509_get_subject_name(peer.get()), text, sizeof text);
  return text;
}

bool TlsClient::send_raw(std::string_view bytes) {
  if (!handshake_error_.empty()) return false;
  while (!bytes.empty()) {
    int n = SSL_write(as_ssl(ssl_), bytes.data(), static_cast<int>(bytes.size()));
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool TlsClient::fill(std::chrono::milliseconds timeout) {
  if (!handshake_error_.empty()) return false;
  set_timeout(fd_, SO_RCVTIMEO, timeout);
  char chunk[4096];
  int n = SSL_read(as_ssl(ssl_), chunk, sizeof chunk);
  if (n <= 0) {
    ERR_clear_error();
    return false;
  }
  buffer_.append(chunk, static_cast<std::size_t>(n));
  return true;
}

std::optional<std::string> TlsClient::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto lf = buffer_.find('\n');
    if (lf != std::string::npos) {
      std::string line = buffer_.substr(0, lf);
      buffer_.erase(0, lf + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !fill(left)) return std::nullopt;
  }
}

std::string TlsClient::request(std::string_view line) {
  if (!send_raw(std::string(line) + "\n")) return "<no answer>";
  return read_line().value_or("<no answer>");
}

std::string TlsClient::read_to_end(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !fill(left)) break;
  }
  return std::exchange(buffer_, {});
}

int http_status_of(const std::string& response) {
  if (response.size() < 12 || response.compare(0, 5, "HTTP/") != 0) return 0;
  return std::atoi(response.c_str() + 9);
}

std::string http_body_of(const std::string& response) {
  auto end = response.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : response.substr(end + 4);
}

}  // namespace lmp::test
