// The part of a listener that does not depend on its protocol: binding, the accept loop with its
// pause after a failed accept, the connection limits (total and per address) and the answer to a
// refused client, the plain-or-TLS choice per accepted connection, the set of open connections,
// stopping and draining, and the flood-throttled log lines. The seat and HTTP listeners each add
// their protocol through a ConnectionFactory. Include only in listener sources (it pulls in Asio).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>

#include "core/log.hpp"
#include "core/log_throttle.hpp"
#include "net/accept_retry.hpp"
#include "net/connection_limits.hpp"
#include "net/listener_connection.hpp"
#include "net/listener_options.hpp"
#include "net/listening_server.hpp"

namespace boost::asio::ssl {
class context;
}

namespace lmp::net {

class Listener;

// What a listener asks of its protocol. Called on the network thread.
class ConnectionFactory {
 public:
  virtual ~ConnectionFactory() = default;
  // A connection for an accepted socket from `peer`: over TLS with `tls_context` when it is set,
  // else plain TCP. Not started yet; the listener adds it to its set, then calls start().
  virtual std::shared_ptr<ListenerConnection> make_connection(
      std::shared_ptr<Listener> listener, boost::asio::ip::tcp::socket socket, std::string peer,
      std::shared_ptr<boost::asio::ssl::context> tls_context) = 0;
  // What a plain-TCP client refused for `verdict` reads before the close.
  virtual std::string refusal(ConnectionLimits::Verdict verdict) const = 0;
};

// Thread safety: all methods on the io_context's thread, or before it runs; the io_context must be
// run by exactly one thread. Owned through a shared_ptr (pending handlers and connections hold
// it); it holds the factory until it is destroyed.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(boost::asio::io_context& io, ListenerOptions options,
           std::shared_ptr<ConnectionFactory> factory, ConnectionEvents naming);
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Binds and listens; throws std::runtime_error naming the listener and address when that fails.
  void start();
  std::uint16_t port() const;
  // Stops accepting; each connection drains (ListenerConnection::drain).
  void stop();
  // Stops accepting and closes every connection at once (what is in flight is dropped).
  void close_all();
  bool stopped() const { return stopped_; }
  std::size_t connection_count() const { return connections_.size(); }

  boost::asio::io_context& io() const { return io_; }
  const ListenerOptions& options() const { return options_; }

  // A connection's close: it leaves the set and gives its place back. Once per connection.
  void remove(const std::shared_ptr<ListenerConnection>& connection, const std::string& peer);
  // Whether `connection` waits for a request: it has completed none since it connected, or has
  // received part of its next one (and none is in flight). A connection waits from its accept
  // on. When the listener is full, a new connection takes the place of the one that has waited
  // longest (a client trickling its request, or one that connected and said nothing), so that
  // slow clients cannot hold every slot; only when none waits is the new one refused. O(1).
  void set_receiving(ListenerConnection& connection, bool receiving);
  // Writes an event about one connection: the listener's name (see ConnectionEvents), `peer`,
  // then `fields`. `throttled` events go through the listener's flood throttle.
  void log_connection_event(log::Level level, std::string_view event, const std::string& peer,
                            std::initializer_list<log::Field> fields, bool throttled = false);
  // Counts a failed TLS handshake and logs it (throttled).
  void report_handshake_failure(const std::string& peer, std::string_view reason,
                                const std::string& error);

 private:
  void stop_accepting();
  void accept();
  void admit(boost::asio::ip::tcp::socket socket);
  // Closes the connection that has waited longest for a request, to make room for one from
  // `peer`; false when none waits or `peer` is over its own limit anyway.
  bool make_room(const std::string& peer);
  void refuse(boost::asio::ip::tcp::socket& socket, ConnectionLimits::Verdict verdict);

  boost::asio::io_context& io_;
  const ListenerOptions options_;
  const std::shared_ptr<ConnectionFactory> factory_;
  const ConnectionEvents naming_;
  boost::asio::ip::tcp::acceptor acceptor_;
  ConnectionLimits limits_;  // counts exactly the members of connections_
  std::unordered_set<std::shared_ptr<ListenerConnection>> connections_;
  // The members of connections_ that wait for a request, oldest first (see set_receiving).
  ListenerConnection* oldest_receiving_ = nullptr;
  ListenerConnection* newest_receiving_ = nullptr;
  bool stopped_ = false;
  // Refusals, accept errors and failed handshakes come in floods when they come at all.
  log::Throttle flood_log_{log::kFloodBurst, log::kFloodWindow};
  AcceptRetry accept_retry_;
};

}  // namespace lmp::net
