// The public face the seat and HTTP servers share: a Listener (net/listener.hpp) that they start,
// stop and count the connections of, held without exposing Asio to their includers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "net/listener_options.hpp"

namespace boost::asio {
class io_context;
}

namespace lmp::net {

class ConnectionFactory;
class Listener;

// Whether the listener's own name goes into the lines about single connections
// (connection_refused, connection_idle_closed, connection_dropped): the admin listener's lines
// have always named it, the seat listener's never have (docs/operations.md).
enum class ConnectionEvents { named, unnamed };

// Thread safety: all methods on the io_context's thread, or before it runs; the io_context must
// be run by exactly one thread. Destroying it closes every connection at once.
class ListeningServer {
 public:
  ListeningServer(const ListeningServer&) = delete;
  ListeningServer& operator=(const ListeningServer&) = delete;

  // Binds and listens; throws std::runtime_error naming the listener and address when that fails.
  void start();
  std::uint16_t port() const;
  // Stops accepting; open connections finish what their protocol says must be finished (see the
  // server's own stop()) and close.
  void stop();
  // stop() was called.
  bool stopped() const;
  std::size_t connection_count() const;

 protected:
  ListeningServer(boost::asio::io_context& io, ListenerOptions options,
                  std::shared_ptr<ConnectionFactory> factory, ConnectionEvents naming);
  ~ListeningServer();

  Listener& listener() { return *listener_; }

 private:
  std::shared_ptr<Listener> listener_;
};

}  // namespace lmp::net
