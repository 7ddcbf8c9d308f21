// A listener's TLS settings made into an OpenSSL server context, and the holder through which a
// reload swaps in a new context while open connections keep the one they started with.
#pragma once

#include <boost/system/error_code.hpp>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace boost::asio::ssl {
class context;
}

namespace lmp::net {

// A certificate, key or CA file that cannot be used; what() names the setting and the file.
class TlsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What the logs say about the certificate a context serves.
struct CertificateSummary {
  std::string subject;    // one line, e.g. "CN=lic1.example.org"
  std::string serial;     // hex
  std::string not_after;  // "2027-11-28T12:00:00Z"
};

// A loaded context and what it serves.
struct ServerTlsContext {
  std::shared_ptr<boost::asio::ssl::context> context;
  CertificateSummary certificate;
};

// Reads the certificate chain, the key and the client CA file now. `setting` is the config path
// of the TLS section ("listeners.seat.tls"), for messages. Throws TlsError: a file that cannot be
// read or holds no usable PEM, or a key that does not belong to the certificate.
ServerTlsContext load_server_tls(const config::Tls& tls, const std::string& setting);

// A bounded name for why a TLS handshake failed, for logs and the metric's label:
// no_client_certificate, bad_client_certificate, server_certificate_refused (the client's alert),
// not_tls, closed or protocol.
std::string_view handshake_failure_reason(const boost::system::error_code& ec);

// Thread safety: current() on the network thread, replace() from the reloading thread.
class TlsContextHolder {
 public:
  explicit TlsContextHolder(ServerTlsContext initial) : current_(std::move(initial)) {}

  std::shared_ptr<boost::asio::ssl::context> current() const {
    std::lock_guard lock(mutex_);
    return current_.context;
  }
  void replace(ServerTlsContext next) {
    std::lock_guard lock(mutex_);
    current_ = std::move(next);
  }

 private:
  mutable std::mutex mutex_;
  ServerTlsContext current_;
};

}  // namespace lmp::net
