// The base of a listener's connections, over plain TCP or a TLS stream alike: the stream built in
// place with its context, the peer, the TLS handshake under its deadline, and the close that gives
// the connection's place back to its listener. The protocol (reading requests, writing
// answers) is the derived class's. Include only in listener sources (it pulls in Asio's TCP and
// SSL headers).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <type_traits>

#include "net/listener.hpp"
#include "net/tls_context.hpp"

namespace lmp::net {

// Built in place (a prvalue), so no stream type needs to be movable. `context` is used only
// for a TLS stream (one constructed from a socket and a context).
template <class Stream>
Stream make_stream(boost::asio::ip::tcp::socket&& socket, boost::asio::ssl::context* context) {
  if constexpr (std::is_same_v<Stream, boost::asio::ip::tcp::socket>) {
    return std::move(socket);
  } else {
    return Stream(std::move(socket), *context);
  }
}

// The TCP socket under a plain or TLS stream.
template <class Stream>
boost::asio::ip::tcp::socket& lowest(Stream& stream) {
  if constexpr (std::is_same_v<Stream, boost::asio::ip::tcp::socket>) {
    return stream;
  } else {
    return stream.next_layer();
  }
}

// Thread safety: the listener's network thread only.
template <class Stream>
class StreamConnection : public ListenerConnection {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, boost::asio::ip::tcp::socket>;

  // A TLS connection first completes its handshake; then, as a plain one at once, begin().
  void start() final {
    if constexpr (kTls) {
      handshake();
    } else {
      begin();
    }
  }

  const std::string& peer() const final { return peer_; }

  // Ends the connection at once; what is in flight is dropped.
  void close() final {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ec;
    timer_.cancel();
    on_close();
    lowest(socket_).shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    lowest(socket_).close(ec);
    listener_->remove(shared_from_this(), peer_);
  }

 protected:
  // `context` is the TLS context of a TLS connection (kept alive for it), null for plain TCP.
  StreamConnection(std::shared_ptr<Listener> listener, boost::asio::ip::tcp::socket socket,
                   std::string peer, std::shared_ptr<boost::asio::ssl::context> context)
      : listener_(std::move(listener)),
        context_(std::move(context)),
        socket_(make_stream<Stream>(std::move(socket), context_.get())),
        timer_(listener_->io()),
        peer_(std::move(peer)) {
    boost::system::error_code ec;
    lowest(socket_).set_option(boost::asio::ip::tcp::no_delay(true), ec);
  }

  // The connection is ready for its first request.
  virtual void begin() = 0;
  // Called by close() to cancel what the derived class has pending besides timer_.
  virtual void on_close() {}

  const ListenerOptions& options() const { return listener_->options(); }
  std::chrono::seconds request_timeout() const {
    return std::chrono::seconds(options().request_timeout_seconds);
  }
  // See Listener::set_receiving; a connection starts out waiting.
  void set_receiving(bool receiving) { listener_->set_receiving(*this, receiving); }

  std::shared_ptr<Listener> listener_;
  std::shared_ptr<boost::asio::ssl::context> context_;  // TLS only: the context it started with
  Stream socket_;
  // The handshake deadline, then whatever deadline the protocol keeps (idle, send, linger).
  boost::asio::steady_timer timer_;
  std::string peer_;
  bool closed_ = false;
  bool handshaking_ = false;

 private:
  std::shared_ptr<StreamConnection> shared_this() {
    return std::static_pointer_cast<StreamConnection>(shared_from_this());
  }

  // The timer guards the handshake: a peer that connects and says nothing (or too little) gives
  // its slot back after tls_handshake_timeout_seconds.
  void handshake() {
    handshaking_ = true;
    timer_.expires_after(std::chrono::seconds(options().tls_handshake_timeout_seconds));
    timer_.async_wait([self = shared_this()](const boost::system::error_code& ec) {
      if (ec || self->closed_ || !self->handshaking_) return;
      self->handshake_failed("timeout", "no TLS handshake within the timeout");
    });
    socket_.async_handshake(boost::asio::ssl::stream_base::server,
                            [self = shared_this()](const boost::system::error_code& ec) {
                              if (self->closed_) return;
                              self->handshaking_ = false;
                              if (ec) {
                                self->handshake_failed(handshake_failure_reason(ec), ec.message());
                                return;
                              }
                              self->begin();
                            });
  }

  void handshake_failed(std::string_view reason, const std::string& error) {
    listener_->report_handshake_failure(peer_, reason, error);
    close();
  }
};

// A ConnectionFactory's choice: `Connection<TlsStream>` when the listener gave a TLS context,
// else `Connection<tcp::socket>`, each made from (server, listener, socket, peer, context).
template <template <class> class Connection, class TlsStream, class Server>
std::shared_ptr<ListenerConnection> make_plain_or_tls(
    std::shared_ptr<Server> server, std::shared_ptr<Listener> listener,
    boost::asio::ip::tcp::socket socket, std::string peer,
    std::shared_ptr<boost::asio::ssl::context> tls_context) {
  if (tls_context)
    return std::make_shared<Connection<TlsStream>>(std::move(server), std::move(listener),
                                                   std::move(socket), std::move(peer),
                                                   std::move(tls_context));
  return std::make_shared<Connection<boost::asio::ip::tcp::socket>>(
      std::move(server), std::move(listener), std::move(socket), std::move(peer), nullptr);
}

}  // namespace lmp::net
