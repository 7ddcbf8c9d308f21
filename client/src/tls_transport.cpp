// TLS connections with OpenSSL over memory BIOs: the socket I/O stays ours (send with
// MSG_NOSIGNAL, every wait a poll() with the request's deadline), so the library never raises
// SIGPIPE in its host program and never blocks past a deadline.
#include "tls_transport.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "client_error.hpp"
#include "line_buffer.hpp"
#include "tcp_transport.hpp"

namespace lmp::client {
namespace {

std::string openssl_reason() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown TLS error";
  const char* reason = ERR_reason_error_string(code);
  return reason ? reason : "TLS error " + std::to_string(code);
}

bool is_ip_literal(const std::string& host) {
  unsigned char buffer[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

class TlsTransport final : public Transport {
 public:
  TlsTransport(int fd, SSL* ssl, std::string peer) : fd_(fd), ssl_(ssl), peer_(std::move(peer)) {}
  ~TlsTransport() override {
    SSL_free(ssl_);
    ::close(fd_);
  }
  TlsTransport(const TlsTransport&) = delete;
  TlsTransport& operator=(const TlsTransport&) = delete;

  void handshake(Deadline deadline) {
    drive([this] { return SSL_connect(ssl_); }, deadline, "TLS handshake failed");
  }

  void write(std::string_view bytes, Deadline deadline) override {
    while (!bytes.empty()) {
      int n = drive([&] { return SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())); },
                    deadline, "TLS write failed");
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  std::string read_line(Deadline deadline) override {
    while (true) {
      if (auto line = take_line(buffer_, peer_)) return *line;
      char chunk[4096];
      int n =
          drive([&] { return SSL_read(ssl_, chunk, sizeof chunk); }, deadline, "TLS read failed");
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  std::size_t read_some(char* out, std::size_t size, Deadline deadline) override {
    if (!buffer_.empty()) return take_buffered(buffer_, out, size);
    const int want = static_cast<int>(size < 16384 ? size : 16384);
    return static_cast<std::size_t>(drive([&] { return SSL_read(ssl_, out, want); }, deadline,
                                          "TLS read failed", Close::ends_the_data));
  }

  // Readable while idle is not always a closed connection here: a TLS record without data (a
  // session ticket) may arrive after the handshake. Decrypt what came to tell them apart.
  bool unusable_while_idle() override {
    if (!buffer_.empty() || SSL_pending(ssl_) > 0) return true;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 0) == 0) return false;
    char chunk[4096];
    ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
    if (got <= 0) return true;
    BIO_write(SSL_get_rbio(ssl_), chunk, static_cast<int>(got));
    ERR_clear_error();
    int n = SSL_read(ssl_, chunk, sizeof chunk);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
    const bool fine = SSL_get_error(ssl_, n) == SSL_ERROR_WANT_READ;
    ERR_clear_error();
    return !fine;
  }

 private:
  // What the server closing the connection means to a call: a failure (mid-answer on the seat
  // protocol) or the end of the data (an HTTP answer read to its end).
  enum class Close { fails, ends_the_data };

  // Runs an OpenSSL call until it succeeds, carrying bytes between its memory BIOs and the
  // socket; returns the call's positive result, or 0 for a close that `on_close` accepts.
  template <typename Call>
  int drive(Call call, Deadline deadline, const std::string& what, Close on_close = Close::fails) {
    while (true) {
      ERR_clear_error();
      int rc = call();
      int error = rc > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl_, rc);
      send_pending(deadline);
      if (rc > 0) return rc;
      if (error == SSL_ERROR_WANT_READ) {
        if (receive(deadline)) continue;
        if (on_close == Close::ends_the_data) return 0;
        fail("the server closed the connection");
      }
      if (error == SSL_ERROR_ZERO_RETURN) {
        if (on_close == Close::ends_the_data) return 0;
        fail("the server closed the connection");
      }
      std::string why = what + ": " + openssl_reason();
      long verify = SSL_get_verify_result(ssl_);
      if (verify != X509_V_OK)
        why += " (" + std::string(X509_verify_cert_error_string(verify)) + ")";
      fail(why);
    }
  }

  void send_pending(Deadline deadline) {
    BIO* out = SSL_get_wbio(ssl_);
    char chunk[16384];
    while (BIO_ctrl_pending(out) > 0) {
      int n = BIO_read(out, chunk, sizeof chunk);
      std::string_view bytes(chunk, static_cast<std::size_t>(n > 0 ? n : 0));
      while (!bytes.empty()) {
        ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent > 0) {
          bytes.remove_prefix(static_cast<std::size_t>(sent));
        } else if (sent < 0 && (errno == EAGAIN || errno == EINTR)) {
          if (!wait_for(fd_, POLLOUT, deadline)) fail("timed out sending");
        } else {
          fail(std::string("send failed: ") + std::strerror(errno));
        }
      }
    }
  }

  // Feeds what the socket has to OpenSSL; false when the server closed the connection without
  // TLS's close_notify (a failure, unless the caller reads to the end of the data).
  bool receive(Deadline deadline) {
    while (true) {
      if (!wait_for(fd_, POLLIN, deadline)) fail("timed out waiting for the answer");
      char chunk[16384];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n > 0) {
        BIO_write(SSL_get_rbio(ssl_), chunk, static_cast<int>(n));
        return true;
      }
      if (n == 0) return false;
      if (errno != EAGAIN && errno != EINTR)
        fail(std::string("receive failed: ") + std::strerror(errno));
    }
  }

  [[noreturn]] void fail(const std::string& why) {
    throw ClientError(LMP_ERR_UNREACHABLE, peer_ + ": " + why);
  }

  int fd_;
  SSL* ssl_;
  std::string peer_;
  std::string buffer_;
};

}  // namespace

TlsSettings::TlsSettings(const std::string& ca_file, const std::string& certificate_file,
                         const std::string& key_file) {
  if (certificate_file.empty() != key_file.empty())
    throw ClientError(LMP_ERR_INVALID_ARGUMENT,
                      "a client certificate needs its key and a key its certificate");
  // Owned here until the end: a constructor that throws never runs the destructor, so a bad
  // file must not leave the context behind (LeakSanitizer found that).
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> owned(SSL_CTX_new(TLS_client_method()),
                                                          &SSL_CTX_free);
  SSL_CTX* ctx = owned.get();
  if (ctx == nullptr) throw ClientError(LMP_ERR_NO_MEMORY, "cannot set up TLS");
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  ERR_clear_error();
  auto bad_file = [](const std::string& what, const std::string& file) {
    int saved = errno;
    std::string why = openssl_reason();
    if (saved != 0 && ::access(file.c_str(), R_OK) != 0) why = std::strerror(saved);
    return ClientError(LMP_ERR_INVALID_ARGUMENT, "cannot use " + what + " " + file + ": " + why);
  };
  if (ca_file.empty()) {
    SSL_CTX_set_default_verify_paths(ctx);
  } else {
    errno = 0;
    if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1)
      throw bad_file("the CA file", ca_file);
  }
  if (!certificate_file.empty()) {
    errno = 0;
    if (SSL_CTX_use_certificate_chain_file(ctx, certificate_file.c_str()) != 1)
      throw bad_file("the certificate file", certificate_file);
    errno = 0;
    if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1)
      throw bad_file("the key file", key_file);
  }
  ctx_ = owned.release();
}

TlsSettings::~TlsSettings() {
  SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
}

std::unique_ptr<Transport> connect_tls(const ServerAddress& server, const TlsSettings& settings,
                                       Deadline deadline) {
  int fd = connect_socket(server, deadline);
  SSL* ssl = SSL_new(static_cast<SSL_CTX*>(settings.native()));
  if (ssl == nullptr) {
    ::close(fd);
    throw ClientError(LMP_ERR_NO_MEMORY, "cannot set up TLS");
  }
  auto transport = std::make_unique<TlsTransport>(fd, ssl, server.to_string());
  BIO* in = BIO_new(BIO_s_mem());
  BIO_set_mem_eof_return(in, -1);  // an empty buffer means "wait for more", not end of stream
  SSL_set_bio(ssl, in, BIO_new(BIO_s_mem()));
  if (is_ip_literal(server.host)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), server.host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl, server.host.c_str());
    SSL_set1_host(ssl, server.host.c_str());
  }
  transport->handshake(deadline);
  return transport;
}

}  // namespace lmp::client
