// A webhook receiver for the tests: a real HTTP server on a loopback port that takes lmpd's
// event POSTs, checks each one's X-Lmpd-Signature against the secret with OpenSSL's HMAC (on its
// own, not through lmpd's code), and keeps what it received. It can go down and come back up on
// the same port, answer with a chosen status, and speak https with a certificate it is given.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace lmp::test {

class WebhookReceiver {
 public:
  struct Received {
    std::string event_id;    // the X-Lmpd-Event-Id header
    std::string event_type;  // X-Lmpd-Event-Type
    std::string signature;   // X-Lmpd-Signature
    std::string body;
    bool signature_ok = false;  // checked against the secret set when it arrived
  };

  struct Tls {
    std::filesystem::path certificate;  // PEM chain
    std::filesystem::path key;          // PEM
  };

  // Listens on a port the kernel picks at `address` (an IPv4 loopback address), answering
  // `status`; over TLS when `tls` is given.
  explicit WebhookReceiver(std::optional<Tls> tls = std::nullopt,
                           std::string address = "127.0.0.1");
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  // At its address, or at `host` (a name that resolves to it, such as localhost).
  std::string url(const std::string& host = {}) const {
    return std::string(tls_ ? "https://" : "http://") + (host.empty() ? address_ : host) + ":" +
           std::to_string(port_) + "/hooks/lmpd";
  }
  void set_secret(const std::string& secret);
  void set_status(int status) { status_ = status; }
  // Stops listening (connections are refused) / listens again on the same port.
  void down();
  void up();
  std::vector<Received> received() const;
  // Waits up to `seconds` until at least `count` requests arrived; true when they did.
  bool wait_for(std::size_t count, int seconds) const;
  // TLS connections that ended before a request arrived (a client that refused the certificate).
  int failed_handshakes() const { return failed_handshakes_; }

 private:
  void listen_on_port();
  void serve();

  struct TlsContext;
  std::unique_ptr<TlsContext> tls_;
  std::string address_;
  std::uint16_t port_ = 0;
  std::atomic<int> failed_handshakes_{0};
  int fd_ = -1;
  std::atomic<int> status_{200};
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::string secret_;
  std::vector<Received> received_;
};

}  // namespace lmp::test
