// The HTTP/1.1 listener: keep-alive connections answering one request at a time, JSON routes
// (seat operations, /healthz, /readyz, and the admin API) dispatched by a Router.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "domain/clock_guard.hpp"
#include "net/listening_server.hpp"

namespace lmp::seat {
class SeatService;
}
namespace lmp::net {
class InvalidCodeLimiter;
}

namespace lmp::http {

class Router;

struct HttpServerOptions {
  net::ListenerOptions listener = net::listener_defaults("admin", 27480);
  std::size_t max_body_bytes = 1 << 20;    // a larger body is answered 413
  std::uint32_t max_header_bytes = 16384;  // request line and header fields; larger is 431
  std::int64_t max_wait_seconds = 300;     // the largest `wait` a checkout may ask for
  std::string server_name = "lmpd";        // the Server header is server_name/version
  std::string version = "0.0.0";
  // Reported in /readyz while the wall clock has moved back behind the server's mark; null: none.
  std::shared_ptr<const domain::ClockGuard> clock_guard;
};

struct HttpServerState;  // what the connections share: options, router

// Thread safety: as net::ListeningServer's.
// REQUIRES: the SeatService runs its completions on the same io_context
// (SeatService::set_completion_executor). The limiter is the one the seat listener uses (so a
// guesser has one budget per address, whichever listener it uses); service and limiter must
// outlive the server.
// stop(): from then on /readyz answers 503; a connection waiting for its next request closes at
// once, one with a request in flight answers it (and any request it had already received) and
// then closes.
class HttpServer : public net::ListeningServer {
 public:
  HttpServer(boost::asio::io_context& io, seat::SeatService& service,
             net::InvalidCodeLimiter& limiter, HttpServerOptions options);

  // Holds the seat and health routes; add more (the admin API) before start().
  Router& router();
  bool draining() const { return stopped(); }

 private:
  HttpServer(boost::asio::io_context& io, std::shared_ptr<HttpServerState> state);

  std::shared_ptr<HttpServerState> impl_;
};

}  // namespace lmp::http
