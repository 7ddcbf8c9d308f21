// A blocking TLS client for tests (OpenSSL over a POSIX socket): the seat protocol's lines and
// raw HTTP exchanges, the server certificate it saw, and why a handshake failed.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lmp::test {

struct TlsClientOptions {
  std::string ca_file;  // set: the server's certificate must chain to it (and be 127.0.0.1)
  std::string certificate_file;  // set: offered as the client certificate...
  std::string key_file;          // ...with this key
  bool tls12_only = false;       // offer TLS 1.2 and nothing newer
};

class TlsClient {
 public:
  // Connects to 127.0.0.1:port and runs the handshake; never throws for a failed handshake
  // (see handshake_error), only when it cannot connect or set up OpenSSL.
  explicit TlsClient(std::uint16_t port, const TlsClientOptions& options = {});
  ~TlsClient();
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  // "" when the handshake completed (as the client sees it: under TLS 1.3 a server that refuses
  // the client certificate says so only afterwards, on the first read).
  const std::string& handshake_error() const { return handshake_error_; }
  // The server certificate's serial (hex) and subject ("CN=..."), "" before a handshake.
  std::string server_serial() const;
  std::string server_subject() const;

  // False once the connection is broken.
  bool send_raw(std::string_view bytes);
  // The next line without its LF; nullopt on timeout, close or a TLS error.
  std::optional<std::string> read_line(
      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Sends one line and reads the answer; "<no answer>" when none came.
  std::string request(std::string_view line);
  // Everything the server sends until it closes (an HTTP response with Connection: close).
  std::string read_to_end(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  // Up to one chunk into buffer_; false on timeout, close or error.
  bool fill(std::chrono::milliseconds timeout);

  int fd_ = -1;
  void* ctx_ = nullptr;  // SSL_CTX*, kept out of this header
  void* ssl_ = nullptr;  // SSL*
  std::string handshake_error_;
  std::string buffer_;
};

// The status code of a raw HTTP response ("HTTP/1.1 200 OK..." → 200; 0 when unreadable) and
// its body (after the blank line).
int http_status_of(const std::string& response);
std::string http_body_of(const std::string& response);

}  // namespace lmp::test
