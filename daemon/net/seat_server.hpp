// The seat-protocol TCP listener: accepts endpoint connections, frames lines, answers them in
// request order (pipelining), and hands seat operations to the SeatService.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "net/listening_server.hpp"

namespace lmp::seat {
class SeatService;
}

namespace lmp::net {

class InvalidCodeLimiter;

struct SeatServerOptions {
  ListenerOptions listener = listener_defaults("seat", 27400);
  // Answers not yet written to a connection's socket; at this many bytes it is not read from.
  std::size_t max_unsent_bytes = 1 << 20;
  std::int64_t max_wait_seconds = 300;
  std::string server_name = "lmpd";
  std::string version = "0.0.0";
};

struct SeatServerState;  // what the connections share: options, service, limiter

// Thread safety: as ListeningServer's; connections keep no strand.
// REQUIRES: the SeatService runs its completions on the same io_context
// (SeatService::set_completion_executor), since they write to the connections.
// The limiter is shared with the other listeners and must outlive the server.
// stop(): open connections finish what they have in flight and are closed.
class SeatServer : public ListeningServer {
 public:
  SeatServer(boost::asio::io_context& io, seat::SeatService& service, InvalidCodeLimiter& limiter,
             SeatServerOptions options);

 private:
  SeatServer(boost::asio::io_context& io, std::shared_ptr<SeatServerState> state);

  std::shared_ptr<SeatServerState> impl_;
};

}  // namespace lmp::net
