// The seat-protocol TCP listener: accepts endpoint connections, frames lines, answers them in
// request order (pipelining), and hands seat operations to the SeatService.
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

struct SeatServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 27400;  // 0 picks a free port; port() tells which
  std::size_t max_connections = 10000;
  std::size_t max_connections_per_address = 1000;
  int idle_timeout_seconds = 600;
  // Answers not yet written to a connection's socket; at this many bytes it is not read from.
  std::size_t max_unsent_bytes = 1 << 20;
  // A write of answers that the client does not take within this time drops the connection.
  int send_timeout_seconds = 30;
  std::int64_t max_wait_seconds = 300;
  std::int64_t advised_heartbeat_seconds = 60;
  std::string server_name = "lmpd";
  std::string version = "0.0.0";
  // Set: the listener speaks TLS only, with the holder's current context at each accept.
  std::shared_ptr<TlsContextHolder> tls;
  // A TLS peer that has not completed its handshake by then is disconnected.
  int tls_handshake_timeout_seconds = 10;
  // Called on the network thread with handshake_failure_reason() or "timeout".
  std::function<void(std::string_view reason)> on_tls_handshake_failure;
  // Called on the network thread for each accept that failed (the listener then waits
  // kAcceptRetryDelay before the next).
  std::function<void()> on_accept_failure;
};

struct SeatServerState;  // the listener and its connections, shared with pending handlers

// Thread safety: all methods on the io_context's thread, or before it runs. The io_context must
// be run by exactly one thread (connections keep no strand).
// REQUIRES: the SeatService runs its completions on the same io_context
// (SeatService::set_completion_executor), since they write to the connections.
// The limiter is shared with the other listeners and must outlive the server.
class SeatServer {
 public:
  SeatServer(boost::asio::io_context& io, seat::SeatService& service, InvalidCodeLimiter& limiter,
             SeatServerOptions options);
  ~SeatServer();
  SeatServer(const SeatServer&) = delete;
  SeatServer& operator=(const SeatServer&) = delete;

  // Binds and listens; throws std::runtime_error naming the address when that fails.
  void start();
  std::uint16_t port() const;
  // Stops accepting; open connections finish what they have in flight and are closed.
  void stop();
  std::size_t connection_count() const;

 private:
  std::shared_ptr<SeatServerState> impl_;
};

}  // namespace lmp::net
