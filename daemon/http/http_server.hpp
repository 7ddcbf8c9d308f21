// The HTTP/1.1 listener: keep-alive connections answering one request at a time, JSON routes
// (seat operations, /healthz, /readyz, and the admin API) dispatched by a Router.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace boost::asio {
class io_context;
}
namespace lmp::seat {
class SeatService;
}
namespace lmp::net {
class InvalidCodeLimiter;
class TlsContextHolder;
}  // namespace lmp::net

namespace lmp::http {

class Router;

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 27480;  // 0 picks a free port; port() tells which
  std::size_t max_connections = 10000;
  std::size_t max_connections_per_address = 1000;
  int idle_timeout_seconds = 600;
  // A response that the client does not take within this time drops the connection.
  int send_timeout_seconds = 30;
  std::size_t max_body_bytes = 1 << 20;    // a larger body is answered 413
  std::uint32_t max_header_bytes = 16384;  // request line and header fields; larger is 431
  std::int64_t max_wait_seconds = 300;     // the largest `wait` a checkout may ask for
  std::string server_name = "lmpd";        // the Server header is server_name/version
  std::string version = "0.0.0";
  // Set: the listener speaks HTTPS only, with the holder's current context at each accept.
  std::shared_ptr<net::TlsContextHolder> tls;
  // A TLS peer that has not completed its handshake by then is disconnected.
  int tls_handshake_timeout_seconds = 10;
  // Called on the network thread with net::handshake_failure_reason() or "timeout".
  std::function<void(std::string_view reason)> on_tls_handshake_failure;
  // Called on the network thread for each accept that failed (the listener then waits
  // net::kAcceptRetryDelay before the next).
  std::function<void()> on_accept_failure;
};

struct HttpServerState;  // the listener, its router and its connections

// Thread safety: all methods on the io_context's thread, or before it runs; the io_context must
// be run by exactly one thread.
// REQUIRES: the SeatService runs its completions on the same io_context
// (SeatService::set_completion_executor). The limiter is the one the seat listener uses (so a
// guesser has one budget per address, whichever listener it uses); service and limiter must
// outlive the server.
class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, seat::SeatService& service,
             net::InvalidCodeLimiter& limiter, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Holds the seat and health routes; add more (the admin API) before start().
  Router& router();

  // Binds and listens; throws std::runtime_error naming the address when that fails.
  void start();
  std::uint16_t port() const;
  // From now on /readyz answers 503. Stops accepting; a connection waiting for its next request
  // closes at once, one with a request in flight answers it (and any request it had already
  // received) and then closes.
  void stop();
  bool draining() const;
  std::size_t connection_count() const;

 private:
  std::shared_ptr<HttpServerState> impl_;
};

}  // namespace lmp::http
