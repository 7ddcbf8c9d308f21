// The test receiver: one request per connection, parsed by hand (request line, headers,
// Content-Length body), the signature checked with OpenSSL's one-shot HMAC; TLS by OpenSSL's SSL
// API on the accepted socket.
#include "support/webhook_receiver.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <stdexcept>

namespace lmp::test {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The value of header `name` (lowercase) in `head`, or "".
std::string header(const std::string& head, const std::string& name) {
  std::size_t at = 0;
  while ((at = head.find("\r\n", at)) != std::string::npos) {
    at += 2;
    const std::size_t end = head.find("\r\n", at);
    const std::string line = head.substr(at, end == std::string::npos ? end : end - at);
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos && lower(line.substr(0, colon)) == name) {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      return value;
    }
  }
  return "";
}

std::string hmac_hex(const std::string& key, const std::string& body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  std::size_t size = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest,
                sizeof digest, &size) == nullptr)
    return "";
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

}  // namespace

struct WebhookReceiver::TlsContext {
  SSL_CTX* ctx = nullptr;
  ~TlsContext() { SSL_CTX_free(ctx); }
};

WebhookReceiver::WebhookReceiver(std::optional<Tls> tls, std::string address)
    : address_(std::move(address)) {
  if (tls) {
    // OpenSSL writes with write(2): a client gone before the answer must not kill the tests.
    std::signal(SIGPIPE, SIG_IGN);
    tls_ = std::make_unique<TlsContext>();
    tls_->ctx = SSL_CTX_new(TLS_server_method());
    if (tls_->ctx == nullptr ||
        SSL_CTX_use_certificate_chain_file(tls_->ctx, tls->certificate.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(tls_->ctx, tls->key.c_str(), SSL_FILETYPE_PEM) != 1)
      throw std::runtime_error("the webhook receiver cannot load " + tls->certificate.string());
  }
  up();
}

WebhookReceiver::~WebhookReceiver() {
  down();
}

void WebhookReceiver::set_secret(const std::string& secret) {
  std::lock_guard lock(mutex_);
  secret_ = secret;
}

void WebhookReceiver::listen_on_port() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  ::inet_pton(AF_INET, address_.c_str(), &address.sin_addr);
  address.sin_port = htons(port_);
  socklen_t size = sizeof address;
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd_, 16) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    throw std::runtime_error("the webhook receiver cannot listen on " + address_);
  }
  port_ = ntohs(address.sin_port);
}

void WebhookReceiver::up() {
  if (fd_ >= 0) return;
  listen_on_port();
  stop_ = false;
  thread_ = std::thread([this] { serve(); });
}

void WebhookReceiver::down() {
  if (fd_ < 0) return;
  stop_ = true;
  thread_.join();
  ::close(fd_);
  fd_ = -1;
}

std::vector<WebhookReceiver::Received> WebhookReceiver::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

bool WebhookReceiver::wait_for(std::size_t count, int seconds) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (received().size() >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return received().size() >= count;
}

void WebhookReceiver::serve() {
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int client = ::accept(fd_, nullptr, nullptr);
    if (client < 0) continue;
    timeval timeout{5, 0};
    ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    SSL* ssl = nullptr;
    if (tls_) {
      ssl = SSL_new(tls_->ctx);
      SSL_set_fd(ssl, client);
      if (SSL_accept(ssl) != 1) {
        ++failed_handshakes_;
        SSL_free(ssl);
        ::close(client);
        continue;
      }
    }
    std::string data;
    char chunk[4096];
    std::size_t head_end = std::string::npos;
    std::size_t length = 0;
    for (;;) {
      if (head_end == std::string::npos) {
        head_end = data.find("\r\n\r\n");
        if (head_end != std::string::npos)
          length = std::stoul("0" + header(data.substr(0, head_end + 2), "content-length"));
      }
      if (head_end != std::string::npos && data.size() >= head_end + 4 + length) break;
      const ssize_t n =
          ssl ? SSL_read(ssl, chunk, sizeof chunk) : ::recv(client, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      data.append(chunk, static_cast<std::size_t>(n));
    }
    if (head_end != std::string::npos && data.size() >= head_end + 4 + length) {
      const std::string head = data.substr(0, head_end + 2);
      Received got;
      got.event_id = header(head, "x-lmpd-event-id");
      got.event_type = header(head, "x-lmpd-event-type");
      got.signature = header(head, "x-lmpd-signature");
      got.body = data.substr(head_end + 4, length);
      {
        std::lock_guard lock(mutex_);
        got.signature_ok = got.signature == "sha256=" + hmac_hex(secret_, got.body);
      }
      const int status = status_;
      const std::string answer = "HTTP/1.1 " + std::to_string(status) +
                                 " Status\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      // Recorded before the answer, as a receiver stores before it acknowledges.
      {
        std::lock_guard lock(mutex_);
        received_.push_back(std::move(got));
      }
      if (ssl)
        (void)SSL_write(ssl, answer.data(), static_cast<int>(answer.size()));
      else
        (void)::send(client, answer.data(), answer.size(), MSG_NOSIGNAL);
    }
    if (ssl) {
      SSL_shutdown(ssl);
      SSL_free(ssl);
    }
    ::close(client);
  }
}

}  // namespace lmp::test
