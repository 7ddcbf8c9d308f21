// Connections of the seat protocol, over plain TCP or TLS: line framing with the 4096-byte limit,
// in-order answers to pipelined requests, backpressure with a send timeout, idle timeout,
// connection limits, the TLS handshake deadline, and the invalid-code rate limit.
#include "net/seat_server.hpp"

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <stdexcept>
#include <type_traits>
#include <unordered_set>
#include <utility>

#include "core/log.hpp"
#include "core/log_throttle.hpp"
#include "net/accept_retry.hpp"
#include "net/connection_limits.hpp"
#include "net/listener_connection.hpp"
#include "net/rate_limiter.hpp"
#include "net/tls_context.hpp"
#include "net/tls_stream.hpp"
#include "protocol/request_parser.hpp"
#include "protocol/response.hpp"
#include "seat/seat_command.hpp"
#include "seat/seat_service.hpp"

namespace lmp::net {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using TlsStream = ssl::stream<tcp::socket>;

using domain::SeatError;

namespace {
constexpr std::size_t kMaxLineBytes = 4096;       // terminator included (protocol.md)
constexpr std::size_t kMaxPendingAnswers = 4096;  // pipelined requests not yet written

// Best effort: the refused client learns why before the close.
void refuse(tcp::socket& socket, const std::string& answer) {
  boost::system::error_code ignored;
  socket.non_blocking(true, ignored);
  socket.write_some(asio::buffer(answer), ignored);
  socket.close(ignored);
}

std::string peer_of(const tcp::socket& socket) {
  boost::system::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  return ec ? std::string("unknown") : endpoint.address().to_string();
}
}  // namespace

struct SeatServerState : std::enable_shared_from_this<SeatServerState> {
  SeatServerState(asio::io_context& io_context, seat::SeatService& seat_service,
                  InvalidCodeLimiter& code_limiter, SeatServerOptions opts)
      : io(io_context),
        service(seat_service),
        limiter(code_limiter),
        options(std::move(opts)),
        acceptor(io_context),
        limits(options.max_connections, options.max_connections_per_address),
        accept_retry(io_context, "seat") {}

  void accept();
  // Best effort: a plain client learns why before the close. A TLS client cannot read plain
  // text, and a handshake is what the limit saves, so it just sees the connection close.
  void refuse(tcp::socket& socket, const std::string& answer) const {
    if (options.tls) {
      boost::system::error_code ignored;
      socket.close(ignored);
      return;
    }
    net::refuse(socket, answer);
  }

  asio::io_context& io;
  seat::SeatService& service;
  InvalidCodeLimiter& limiter;  // shared with the HTTP listener: one budget per address
  SeatServerOptions options;
  tcp::acceptor acceptor;
  ConnectionLimits limits;  // counts exactly the members of `connections`
  std::unordered_set<std::shared_ptr<ListenerConnection>> connections;
  bool stopped = false;
  // Refusals, accept errors and failed handshakes come in floods when they come at all.
  log::Throttle flood_log{log::kFloodBurst, log::kFloodWindow};
  AcceptRetry accept_retry;
};

template <class Stream>
class Connection final : public ListenerConnection {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  // `context` is the TLS context of a TLS connection (kept alive for it), null for plain TCP.
  Connection(std::shared_ptr<SeatServerState> server, tcp::socket socket, std::string peer,
             std::shared_ptr<ssl::context> context)
      : server_(std::move(server)),
        context_(std::move(context)),
        socket_(make_stream<Stream>(std::move(socket), context_.get())),
        idle_timer_(server_->io),
        send_timer_(server_->io),
        peer_(std::move(peer)) {
    boost::system::error_code ec;
    lowest(socket_).set_option(tcp::no_delay(true), ec);
    // Plain TCP answers are written straight from flush() (see write_now); Asio's own
    // operations work the same on a non-blocking socket.
    if constexpr (!kTls) lowest(socket_).non_blocking(true, ec);
  }

  void start() override {
    if constexpr (kTls) {
      handshake();
    } else {
      arm_idle_timer();
      read();
    }
  }

  // Answers still in flight are dropped.
  void close() override {
    if (closed_) return;
    closed_ = true;
    withdraw_waiters();
    boost::system::error_code ec;
    idle_timer_.cancel();
    send_timer_.cancel();
    lowest(socket_).shutdown(tcp::socket::shutdown_both, ec);
    lowest(socket_).close(ec);
    server_->limits.release(peer_);
    server_->connections.erase(shared_from_this());
  }

  // Stop reading; finish and write what is in flight, then close.
  void drain() override {
    stop_reading_ = true;
    close_after_flush_ = true;
    flush();
  }

 private:
  // Hides the base's, so that handlers hold the connection as its own type.
  std::shared_ptr<Connection> shared_from_this() {
    return std::static_pointer_cast<Connection>(ListenerConnection::shared_from_this());
  }

  // The idle timer guards the handshake: a peer that connects and says nothing (or too little)
  // gives its slot back after tls_handshake_timeout_seconds.
  void handshake() {
    handshaking_ = true;
    idle_timer_.expires_after(std::chrono::seconds(server_->options.tls_handshake_timeout_seconds));
    idle_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->closed_ || !self->handshaking_) return;
      self->handshake_failed("timeout", "no TLS handshake within the timeout");
    });
    socket_.async_handshake(ssl::stream_base::server,
                            [self = shared_from_this()](const boost::system::error_code& ec) {
                              if (self->closed_) return;
                              self->handshaking_ = false;
                              if (ec) {
                                self->handshake_failed(handshake_failure_reason(ec), ec.message());
                                return;
                              }
                              self->arm_idle_timer();
                              self->read();
                            });
  }

  void handshake_failed(std::string_view reason, const std::string& error) {
    report_handshake_failure("seat", peer_, reason, error,
                             server_->options.on_tls_handshake_failure, server_->flood_log);
    close();
  }

  // After the last answer: TLS says close_notify first (bounded by the handshake timeout, since
  // the peer may never answer it). A read or a handshake still pending (a drain during either)
  // cannot share the stream with it: then the connection just closes.
  void finish() {
    if constexpr (kTls) {
      if (shutting_down_) return;
      if (!reading_ && !handshaking_) {
        shutting_down_ = true;
        idle_timer_.expires_after(
            std::chrono::seconds(server_->options.tls_handshake_timeout_seconds));
        idle_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
          if (!ec) self->close();
        });
        socket_.async_shutdown(
            [self = shared_from_this()](const boost::system::error_code&) { self->close(); });
        return;
      }
    }
    close();
  }

  struct Slot {
    bool ready = false;
    std::string text;
  };

  // A request that looks a code up, as its completion settles it with the limiter.
  struct Lookup {
    bool active = false;   // it looks a code up
    bool unknown = false;  // the code was not known to match a license
    std::size_t code = 0;  // InvalidCodeLimiter::code_key
  };

  // Reads only note their time; the timer, when it fires, waits again for what is left of the
  // timeout since the last read. Re-arming it at every read would cost a cancelled wait and its
  // handler per request.
  void arm_idle_timer() {
    note_activity();
    wait_idle(last_activity_ + idle_timeout());
  }
  void note_activity() { last_activity_ = std::chrono::steady_clock::now(); }
  std::chrono::seconds idle_timeout() const {
    return std::chrono::seconds(server_->options.idle_timeout_seconds);
  }

  void wait_idle(std::chrono::steady_clock::time_point deadline) {
    idle_timer_.expires_at(deadline);
    idle_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->closed_) return;
      const auto now = std::chrono::steady_clock::now();
      const auto idle_until = self->last_activity_ + self->idle_timeout();
      if (idle_until > now) {
        self->wait_idle(idle_until);
        return;
      }
      // A waiter or a slow commit is not idleness: only close when nothing is in flight.
      if (!self->slots_.empty()) {
        self->wait_idle(now + self->idle_timeout());
        return;
      }
      log::info("connection_idle_closed", {{"peer", self->peer_}});
      self->close();
    });
  }

  // A write completes once the kernel has taken every byte, which it stops doing when the client
  // does not read and the socket buffers are full.
  void arm_send_timer() {
    send_timer_.expires_after(std::chrono::seconds(server_->options.send_timeout_seconds));
    send_timer_.async_wait([self = shared_from_this(),
                            write = writes_done_](const boost::system::error_code& ec) {
      // A timer that fired while its write completed must not drop the connection.
      if (ec || self->closed_ || !self->writing_ || self->writes_done_ != write) return;
      log::warning("connection_dropped", {{"peer", self->peer_},
                                          {"reason", "send_timeout"},
                                          {"unsent_bytes", std::to_string(self->unsent_bytes_)}});
      self->close();
    });
  }

  void read() {
    // Held lines go first; more is read once they have been handled.
    if (reading_ || stop_reading_ || closed_ || !held_.empty()) return;
    // Backpressure: a client that does not read its answers is not read from either, so what
    // lmpd holds for it stays bounded (the send timer then decides whether it is gone).
    if (slots_.size() >= kMaxPendingAnswers || unsent_bytes_ >= server_->options.max_unsent_bytes)
      return;
    reading_ = true;
    socket_.async_read_some(
        asio::buffer(buffer_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
          self->reading_ = false;
          if (self->closed_) return;
          if (ec) {
            // The peer finished sending (or vanished): answer what it asked, then close. A
            // checkout waiting for a unit stops waiting, so that no unit goes to nobody.
            self->withdraw_waiters();
            self->stop_reading_ = true;
            self->close_after_flush_ = true;
            self->flush();
            return;
          }
          self->note_activity();
          self->consume(std::string_view(self->buffer_.data(), n));
          // Every seat request of this read goes to the service under one lock.
          self->server_->service.submit_many(self->to_submit_);
          self->flush();
          self->read();
        });
  }

  void consume(std::string_view data) {
    while (!data.empty() && !stop_reading_) {
      auto lf = data.find('\n');
      std::string_view piece = lf == std::string_view::npos ? data : data.substr(0, lf);
      if (partial_.size() + piece.size() + 1 > kMaxLineBytes) {
        // Terminator included, the line is over the limit whether or not its LF has come.
        push_ready(protocol::Response::error(std::nullopt,
                                             domain::to_string(SeatError::line_too_long),
                                             "a line may be at most 4096 bytes")
                       .line());
        stop_reading_ = true;
        close_after_flush_ = true;
        return;
      }
      if (lf == std::string_view::npos) {
        partial_.append(piece);
        return;
      }
      std::string_view line = piece;
      if (!partial_.empty()) line = partial_.append(piece);
      if (!handle_line(line)) {
        // Held: this line and the rest wait for the answer of the lookup in flight.
        held_.assign(line);
        held_ += '\n';
        held_.append(data.substr(lf + 1));
        partial_.clear();
        return;
      }
      partial_.clear();
      data.remove_prefix(lf + 1);
    }
  }

  // The lookup this connection held its lines for was answered: go on with them.
  void resume() {
    std::string lines = std::move(held_);
    held_.clear();
    consume(lines);
    server_->service.submit_many(to_submit_);
  }

  // False when the line must wait (a second lookup of an unknown code); it is then not handled.
  bool handle_line(std::string_view line) {
    auto parsed = protocol::parse_request(line);
    using Kind = protocol::ParseOutcome::Kind;
    if (parsed.kind == Kind::empty) return true;
    if (parsed.kind == Kind::error) {
      push_ready(
          protocol::Response::error(parsed.tag, parsed.error_code, parsed.error_message).line());
      return true;
    }
    const protocol::Request& req = parsed.request;
    const auto& options = server_->options;
    switch (req.verb) {
      case protocol::Verb::hello: {
        const std::string* proto = req.find("proto");
        if (proto != nullptr && *proto != "1") {
          push_ready(protocol::Response::error(req.tag,
                                               domain::to_string(SeatError::unsupported_proto),
                                               "this server speaks protocol 1")
                         .field("proto", "1")
                         .line());
          return true;
        }
        push_ready(protocol::Response::ok(req.tag)
                       .field("proto", "1")
                       .field("server", options.server_name)
                       .field("version", options.version)
                       .field("heartbeat", options.advised_heartbeat_seconds)
                       .line());
        return true;
      }
      case protocol::Verb::ping:
        push_ready(protocol::Response::ok(req.tag).line());
        return true;
      case protocol::Verb::quit:
        push_ready(protocol::Response::ok(req.tag).line());
        stop_reading_ = true;
        close_after_flush_ = true;
        return true;
      case protocol::Verb::unknown:
        push_ready(protocol::Response::error(req.tag, domain::to_string(SeatError::unknown_verb),
                                             "unknown verb " + req.verb_text)
                       .line());
        return true;
      default:
        break;
    }
    auto built = seat::command_from_request(req, options.max_wait_seconds);
    if (!built.ok()) {
      push_ready(protocol::Response::error(req.tag, domain::to_string(*built.error.error),
                                           built.error.message)
                     .line());
      return true;
    }
    Lookup lookup;
    if (seat::looks_up_code(built.command.op)) {
      auto& limiter = server_->limiter;
      auto wait = limiter.retry_after(peer_, InvalidCodeLimiter::Clock::now());
      if (wait > 0) {
        push_ready(protocol::Response::error(req.tag, domain::to_string(SeatError::rate_limited),
                                             "too many invalid activation codes from this address")
                       .field("retry_after", wait)
                       .line());
        return true;
      }
      lookup.code = InvalidCodeLimiter::code_key(built.command.code);
      lookup.unknown = !limiter.known_code(lookup.code);
      // One guess at a time: the next waits until this one's answer is charged.
      if (lookup.unknown && unknown_lookups_ > 0) return false;
      lookup.active = true;
      if (lookup.unknown) ++unknown_lookups_;
    }
    const std::uint64_t seq = base_seq_ + slots_.size();
    slots_.push_back(Slot{});
    // The service runs completions on this io_context (Daemon installs the executor), so the
    // completion may touch the connection directly.
    std::shared_ptr<const seat::CancelToken> token;
    if (built.command.wait_seconds > 0) {
      if (!waiting_) waiting_ = std::make_shared<seat::CancelToken>();
      token = waiting_;
    }
    to_submit_.push_back(
        {std::move(built.command),
         [self = shared_from_this(), seq, tag = req.tag, lookup](seat::SeatResult result) {
           self->complete(seq, tag, lookup, result);
         },
         std::move(token)});
    return true;
  }

  void withdraw_waiters() {
    if (waiting_) server_->service.cancel(std::exchange(waiting_, nullptr));
  }

  void complete(std::uint64_t seq, const std::optional<std::string>& tag, const Lookup& lookup,
                const seat::SeatResult& result) {
    // Charged even when the client has gone: closing must not take guesses off the budget.
    if (lookup.active)
      server_->limiter.answered(peer_, InvalidCodeLimiter::Clock::now(), lookup.code, result.error);
    if (closed_) return;
    if (lookup.active && lookup.unknown && --unknown_lookups_ == 0 && !held_.empty()) resume();
    auto response = result.ok() ? protocol::Response::ok(tag)
                                : protocol::Response::error(tag, domain::to_string(*result.error),
                                                            result.message);
    for (const auto& [key, value] : result.fields) response.field(key, value);
    Slot& slot = slots_[seq - base_seq_];
    slot.ready = true;
    slot.text = response.line();
    unsent_bytes_ += slot.text.size();
    flush();
    read();
  }

  void push_ready(std::string text) {
    unsent_bytes_ += text.size();
    slots_.push_back(Slot{true, std::move(text)});
  }

  // Plain TCP: hands out_ to the kernel at once, which takes it whole unless the client has
  // stopped reading. True when everything went (or the connection closed); otherwise what is
  // left is in sending_ for an asynchronous write, guarded by the send timer. An answer written
  // here costs one send, where an asynchronous write would add a handler and a timer's arming
  // and cancelling.
  bool write_now() {
    boost::system::error_code ec;
    const std::size_t n = lowest(socket_).write_some(asio::buffer(out_), ec);
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
      close();
      return true;
    }
    const std::size_t written = ec ? 0 : n;
    unsent_bytes_ -= written;
    if (written == out_.size()) {
      out_.clear();
      ++writes_done_;
      if (close_after_flush_ && slots_.empty()) finish();
      return true;
    }
    sending_.assign(out_, written);
    out_.clear();
    return false;
  }

  void flush() {
    if (closed_ || writing_) return;
    while (!slots_.empty() && slots_.front().ready) {
      out_.append(slots_.front().text);
      slots_.pop_front();
      ++base_seq_;
    }
    if (out_.empty()) {
      if (close_after_flush_ && slots_.empty()) finish();
      return;
    }
    if constexpr (!kTls) {
      if (write_now()) return;
    } else {
      sending_.swap(out_);
    }
    writing_ = true;
    arm_send_timer();
    asio::async_write(
        socket_, asio::buffer(sending_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
          self->writing_ = false;
          ++self->writes_done_;
          self->unsent_bytes_ -= self->sending_.size();
          self->sending_.clear();
          self->send_timer_.cancel();
          if (ec) {
            self->close();
            return;
          }
          self->flush();
          self->read();
        });
  }

  std::shared_ptr<SeatServerState> server_;
  std::shared_ptr<ssl::context> context_;  // TLS only: the context this connection started with
  Stream socket_;
  asio::steady_timer idle_timer_;
  asio::steady_timer send_timer_;  // runs while a write is under way
  std::string peer_;
  std::array<char, 8192> buffer_{};
  std::string partial_;
  std::vector<seat::SeatService::Submission> to_submit_;  // seat requests of the current read
  std::shared_ptr<seat::CancelToken> waiting_;            // of the checkouts with `wait` submitted
  std::string held_;              // lines waiting for the answer of the unknown code's lookup
  int unknown_lookups_ = 0;       // lookups of unknown codes in flight: 0 or 1
  std::deque<Slot> slots_;        // answers in request order; front is the next to write
  std::uint64_t base_seq_ = 0;    // sequence number of slots_.front()
  std::string out_;               // ready answers not yet handed to the socket
  std::string sending_;           // the answers being written now
  std::size_t unsent_bytes_ = 0;  // ready answers not yet written: in slots_, out_ and sending_
  std::uint64_t writes_done_ = 0;
  std::chrono::steady_clock::time_point last_activity_{};  // of the last read
  bool reading_ = false;
  bool writing_ = false;
  bool stop_reading_ = false;
  bool close_after_flush_ = false;
  bool closed_ = false;
  bool handshaking_ = false;
  bool shutting_down_ = false;  // TLS close_notify under way
};

void SeatServerState::accept() {
  acceptor.async_accept([self = shared_from_this()](const boost::system::error_code& ec,
                                                    tcp::socket socket) {
    if (self->stopped) return;
    if (!ec) {
      std::string peer = peer_of(socket);
      switch (self->limits.admit(peer)) {
        case ConnectionLimits::Verdict::admitted: {
          std::shared_ptr<ListenerConnection> connection;
          if (self->options.tls)
            connection = std::make_shared<Connection<TlsStream>>(self, std::move(socket), peer,
                                                                 self->options.tls->current());
          else
            connection =
                std::make_shared<Connection<tcp::socket>>(self, std::move(socket), peer, nullptr);
          self->connections.insert(connection);
          connection->start();
          break;
        }
        case ConnectionLimits::Verdict::over_total:
          self->refuse(socket, "ERR unavailable msg=too%20many%20connections\n");
          log::write_throttled(self->flood_log, log::Level::warning, "connection_refused",
                               {{"peer", peer}, {"reason", "max_connections"}});
          break;
        case ConnectionLimits::Verdict::over_per_address:
          self->refuse(socket,
                       "ERR unavailable msg=too%20many%20connections%20from%20this%20address\n");
          log::write_throttled(self->flood_log, log::Level::warning, "connection_refused",
                               {{"peer", peer}, {"reason", "max_connections_per_address"}});
          break;
      }
    } else if (ec == asio::error::operation_aborted) {
      return;
    } else {
      self->accept_retry.failed(ec, self->flood_log, self->options.on_accept_failure, [self] {
        if (!self->stopped) self->accept();
      });
      return;
    }
    self->accept();
  });
}

SeatServer::SeatServer(asio::io_context& io, seat::SeatService& service,
                       InvalidCodeLimiter& limiter, SeatServerOptions options)
    : impl_(std::make_shared<SeatServerState>(io, service, limiter, std::move(options))) {}

SeatServer::~SeatServer() {
  boost::system::error_code ec;
  impl_->stopped = true;
  impl_->acceptor.close(ec);
  auto connections = impl_->connections;
  for (auto& connection : connections) connection->close();
}

void SeatServer::start() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(impl_->options.address, ec);
  if (ec) throw std::runtime_error("seat listener: invalid address " + impl_->options.address);
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& acceptor = impl_->acceptor;
  const std::string where = impl_->options.address + ":" + std::to_string(impl_->options.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("seat listener: cannot listen on " + where + ": " + ec.message());
  log::info("listening", {{"listener", "seat"},
                          {"address", impl_->options.address},
                          {"port", std::to_string(port())}});
  impl_->accept();
}

std::uint16_t SeatServer::port() const {
  boost::system::error_code ec;
  auto endpoint = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

void SeatServer::stop() {
  impl_->stopped = true;
  impl_->accept_retry.cancel();
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
  auto connections = impl_->connections;
  for (auto& connection : connections) connection->drain();
}

std::size_t SeatServer::connection_count() const {
  return impl_->connections.size();
}

}  // namespace lmp::net
