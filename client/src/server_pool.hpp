// The client's servers and its open connections to them: one request at a time per connection,
// servers tried in list order, idle connections kept for reuse. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server_address.hpp"
#include "tls_transport.hpp"
#include "transport.hpp"
#include "wire.hpp"

namespace lmp::client {

// What may be done with a request whose connection failed after it was sent.
enum class RetryPolicy {
  // Sending it again has the same effect as sending it once (HEARTBEAT, CHECKIN, STATUS, and a
  // CHECKOUT that names its holder): try the next server.
  anywhere,
  // A second copy could take a second unit: give up with LMP_ERR_UNREACHABLE.
  unsent_only,
};

class ServerPool {
 public:
  explicit ServerPool(std::vector<ServerAddress> servers);

  void set_timeout(std::chrono::milliseconds timeout);
  std::chrono::milliseconds timeout();
  // The settings for the tls:// servers from now on (connections already open keep theirs).
  // Throws ClientError(LMP_ERR_INVALID_ARGUMENT) when no server of the list is a tls:// one.
  void set_tls(std::shared_ptr<const TlsSettings> settings);

  // Sends `line` and returns the first answer other than `ERR unavailable`, trying each server
  // in order; a server gets `timeout` (plus `extra`, for a CHECKOUT's wait) to connect and
  // answer. Every connection it opens starts with HELLO (pipelined with the request). Throws
  // ClientError: LMP_ERR_UNREACHABLE when no server answered, LMP_ERR_UNAVAILABLE when those
  // that did said `unavailable`.
  Answer request(const std::string& line, RetryPolicy policy,
                 std::chrono::seconds extra = std::chrono::seconds(0));

 private:
  struct Connection {
    std::size_t server = 0;
    std::unique_ptr<Transport> transport;
  };
  std::optional<Connection> take_idle(std::size_t server);
  std::unique_ptr<Transport> connect(std::size_t server, Deadline deadline);
  void give_back(Connection connection);

  const std::vector<ServerAddress> servers_;
  std::mutex mutex_;
  std::chrono::milliseconds timeout_{5000};
  std::shared_ptr<const TlsSettings> tls_;  // the system's CAs until set_tls; null: no tls://
  std::vector<Connection> idle_;
};

}  // namespace lmp::client
