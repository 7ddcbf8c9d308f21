// The accept loop, connection limits, refusals and the connection set that the seat and HTTP
// listeners share.
#include "net/listener.hpp"

#include <array>
#include <boost/asio/io_context.hpp>
#include <span>
#include <stdexcept>

#include "net/tls_context.hpp"

namespace lmp::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::string peer_of(const tcp::socket& socket) {
  boost::system::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  return ec ? std::string("unknown") : endpoint.address().to_string();
}

std::string_view reason_of(ConnectionLimits::Verdict verdict) {
  return verdict == ConnectionLimits::Verdict::over_total ? "max_connections"
                                                          : "max_connections_per_address";
}

}  // namespace

Listener::Listener(asio::io_context& io, ListenerOptions options,
                   std::shared_ptr<ConnectionFactory> factory, ConnectionEvents naming)
    : io_(io),
      options_(std::move(options)),
      factory_(std::move(factory)),
      naming_(naming),
      acceptor_(io),
      limits_(options_.max_connections, options_.max_connections_per_address),
      accept_retry_(io, options_.name) {}

void Listener::start() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(options_.address, ec);
  if (ec)
    throw std::runtime_error(options_.name + " listener: invalid address " + options_.address);
  tcp::endpoint endpoint(address, options_.port);
  const std::string where = options_.address + ":" + std::to_string(options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error(options_.name + " listener: cannot listen on " + where + ": " +
                             ec.message());
  log::info("listening", {{"listener", options_.name},
                          {"address", options_.address},
                          {"port", std::to_string(port())}});
  accept();
}

std::uint16_t Listener::port() const {
  boost::system::error_code ec;
  auto endpoint = acceptor_.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

void Listener::stop() {
  stop_accepting();
  // A copy: each connection leaves the set when it closes.
  auto connections = connections_;
  for (auto& connection : connections) connection->drain();
}

void Listener::close_all() {
  stop_accepting();
  auto connections = connections_;
  for (auto& connection : connections) connection->close();
}

void Listener::stop_accepting() {
  stopped_ = true;
  accept_retry_.cancel();
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

void Listener::remove(const std::shared_ptr<ListenerConnection>& connection,
                      const std::string& peer) {
  set_receiving(*connection, false);
  limits_.release(peer);
  connections_.erase(connection);
}

void Listener::set_receiving(ListenerConnection& c, bool receiving) {
  if (c.receiving_ == receiving) return;
  c.receiving_ = receiving;
  if (receiving) {
    c.receiving_older_ = newest_receiving_;
    c.receiving_newer_ = nullptr;
    (newest_receiving_ ? newest_receiving_->receiving_newer_ : oldest_receiving_) = &c;
    newest_receiving_ = &c;
    return;
  }
  (c.receiving_older_ ? c.receiving_older_->receiving_newer_ : oldest_receiving_) =
      c.receiving_newer_;
  (c.receiving_newer_ ? c.receiving_newer_->receiving_older_ : newest_receiving_) =
      c.receiving_older_;
  c.receiving_older_ = c.receiving_newer_ = nullptr;
}

bool Listener::make_room(const std::string& peer) {
  if (oldest_receiving_ == nullptr ||
      limits_.open_from(peer) >= options_.max_connections_per_address)
    return false;
  // Held: closing it removes it from the set.
  const auto victim = oldest_receiving_->shared_from_this();
  log_connection_event(log::Level::warning, "connection_dropped", victim->peer(),
                       {{"reason", "listener_full"}}, true);
  victim->close();
  return true;
}

void Listener::log_connection_event(log::Level level, std::string_view event,
                                    const std::string& peer,
                                    std::initializer_list<log::Field> fields, bool throttled) {
  std::array<log::Field, 8> all;
  std::size_t n = 0;
  if (naming_ == ConnectionEvents::named) all[n++] = {"listener", options_.name};
  all[n++] = {"peer", peer};
  for (const auto& field : fields)
    if (n < all.size()) all[n++] = field;
  const std::span<const log::Field> written(all.data(), n);
  if (throttled)
    log::write_throttled(flood_log_, level, event, written);
  else
    log::write(level, event, written);
}

void Listener::report_handshake_failure(const std::string& peer, std::string_view reason,
                                        const std::string& error) {
  // A probe that connects and leaves is routine; a refused certificate or garbage is not.
  auto level = reason == "closed" ? log::Level::info : log::Level::warning;
  log::write_throttled(
      flood_log_, level, "tls_handshake_failed",
      {{"listener", options_.name}, {"peer", peer}, {"reason", reason}, {"error", error}});
  if (options_.on_tls_handshake_failure) options_.on_tls_handshake_failure(reason);
}

void Listener::accept() {
  acceptor_.async_accept([self = shared_from_this()](const boost::system::error_code& ec,
                                                     tcp::socket socket) {
    if (self->stopped_) return;
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      self->accept_retry_.failed(ec, self->flood_log_, self->options_.on_accept_failure, [self] {
        if (!self->stopped_) self->accept();
      });
      return;
    }
    self->admit(std::move(socket));
    self->accept();
  });
}

void Listener::admit(tcp::socket socket) {
  std::string peer = peer_of(socket);
  auto verdict = limits_.admit(peer);
  if (verdict == ConnectionLimits::Verdict::over_total && make_room(peer))
    verdict = limits_.admit(peer);
  if (verdict != ConnectionLimits::Verdict::admitted) {
    refuse(socket, verdict);
    log_connection_event(log::Level::warning, "connection_refused", peer,
                         {{"reason", reason_of(verdict)}}, true);
    return;
  }
  auto connection = factory_->make_connection(shared_from_this(), std::move(socket), peer,
                                              options_.tls ? options_.tls->current() : nullptr);
  connections_.insert(connection);
  set_receiving(*connection, true);
  connection->start();
}

// Best effort: a plain client learns why before the close. A TLS client cannot read plain text,
// and a handshake is what the limit saves, so it just sees the connection close.
void Listener::refuse(tcp::socket& socket, ConnectionLimits::Verdict verdict) {
  boost::system::error_code ignored;
  if (!options_.tls) {
    const std::string answer = factory_->refusal(verdict);
    socket.non_blocking(true, ignored);
    socket.write_some(asio::buffer(answer), ignored);
    socket.shutdown(tcp::socket::shutdown_send, ignored);
  }
  socket.close(ignored);
}

ListeningServer::ListeningServer(asio::io_context& io, ListenerOptions options,
                                 std::shared_ptr<ConnectionFactory> factory,
                                 ConnectionEvents naming)
    : listener_(std::make_shared<Listener>(io, std::move(options), std::move(factory), naming)) {}

ListeningServer::~ListeningServer() {
  listener_->close_all();
}

void ListeningServer::start() {
  listener_->start();
}

std::uint16_t ListeningServer::port() const {
  return listener_->port();
}

void ListeningServer::stop() {
  listener_->stop();
}

bool ListeningServer::stopped() const {
  return listener_->stopped();
}

std::size_t ListeningServer::connection_count() const {
  return listener_->connection_count();
}

}  // namespace lmp::net
