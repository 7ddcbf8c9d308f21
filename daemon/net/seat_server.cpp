// Connections of the seat protocol, over plain TCP or TLS: line framing with the 4096-byte limit,
// in-order answers to pipelined requests, backpressure with a send timeout, idle timeout,
// connection limits, the TLS handshake deadline, and the invalid-code rate limit.
#include "net/seat_server.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <optional>
#include <utility>

#include "core/log.hpp"
#include "net/listener.hpp"
#include "net/peer_address.hpp"
#include "net/rate_limiter.hpp"
#include "net/stream_connection.hpp"
#include "protocol/request_parser.hpp"
#include "protocol/response.hpp"
#include "seat/product_catalog.hpp"
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
}  // namespace

struct SeatServerState : ConnectionFactory, std::enable_shared_from_this<SeatServerState> {
  SeatServerState(seat::SeatService& seat_service, InvalidCodeLimiter& code_limiter,
                  SeatServerOptions opts)
      : service(seat_service), limiter(code_limiter), options(std::move(opts)) {}

  std::shared_ptr<ListenerConnection> make_connection(
      std::shared_ptr<Listener> listener, tcp::socket socket, std::string peer,
      std::shared_ptr<ssl::context> tls_context) override;

  std::string refusal(ConnectionLimits::Verdict verdict) const override {
    return verdict == ConnectionLimits::Verdict::over_total
               ? "ERR unavailable msg=too%20many%20connections\n"
               : "ERR unavailable msg=too%20many%20connections%20from%20this%20address\n";
  }

  seat::SeatService& service;
  InvalidCodeLimiter& limiter;  // shared with the HTTP listener: one budget per address
  const SeatServerOptions options;
};

template <class Stream>
class Connection final : public StreamConnection<Stream> {
  using Base = StreamConnection<Stream>;
  using Base::close;
  using Base::closed_;
  using Base::kTls;
  using Base::peer_;
  using Base::socket_;
  using Base::timer_;

 public:
  Connection(std::shared_ptr<SeatServerState> server, std::shared_ptr<Listener> listener,
             tcp::socket socket, std::string peer, std::shared_ptr<ssl::context> context)
      : Base(std::move(listener), std::move(socket), std::move(peer), std::move(context)),
        server_(std::move(server)),
        send_timer_(this->listener_->io()) {
    // Plain TCP answers are written straight from flush() (see write_now); Asio's own
    // operations work the same on a non-blocking socket.
    boost::system::error_code ec;
    if constexpr (!kTls) lowest(socket_).non_blocking(true, ec);
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

  void begin() override {
    arm_idle_timer();
    read();
  }

  void on_close() override {
    withdraw_waiters();
    send_timer_.cancel();
  }

  // After the last answer: TLS says close_notify first (bounded by the handshake timeout, since
  // the peer may never answer it). A read or a handshake still pending (a drain during either)
  // cannot share the stream with it: then the connection just closes.
  void finish() {
    if constexpr (kTls) {
      if (shutting_down_) return;
      if (!reading_ && !this->handshaking_) {
        shutting_down_ = true;
        timer_.expires_after(std::chrono::seconds(this->options().tls_handshake_timeout_seconds));
        timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
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
  // handler per request. The same timer bounds a line begun but not ended (request timeout).
  void arm_idle_timer() {
    note_activity();
    wait_idle(last_activity_ + idle_timeout());
  }
  void note_activity() { last_activity_ = std::chrono::steady_clock::now(); }
  std::chrono::seconds idle_timeout() const {
    return std::chrono::seconds(this->options().idle_timeout_seconds);
  }

  void wait_idle(std::chrono::steady_clock::time_point deadline) {
    timer_.expires_at(deadline);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->closed_) return;
      self->on_timer();
    });
  }

  void on_timer() {
    const auto now = std::chrono::steady_clock::now();
    if (line_started_ && now >= *line_started_ + this->request_timeout()) {
      if (reading_) {
        drop_slow_line();
        return;
      }
      // lmpd is not reading (the client has not read its answers): the line cannot go on, so
      // its clock waits too.
      line_started_ = now;
    }
    auto idle_until = last_activity_ + idle_timeout();
    if (idle_until <= now) {
      // A waiter or a slow commit is not idleness: only close when nothing is in flight.
      if (slots_.empty()) {
        this->listener_->log_connection_event(log::Level::info, "connection_idle_closed", peer_,
                                              {});
        close();
        return;
      }
      idle_until = now + idle_timeout();
    }
    wait_idle(line_started_ ? std::min(idle_until, *line_started_ + this->request_timeout())
                            : idle_until);
  }

  // After a read: a line begun but not ended starts the request clock (the idle timer wakes up
  // for it), and the connection waits for a request until its first line and while a line is
  // incomplete (Listener::set_receiving).
  void note_partial_line(std::string_view data) {
    if (!line_seen_) line_seen_ = data.find('\n') != std::string_view::npos;
    if (partial_.empty()) {
      line_started_.reset();
    } else if (!line_started_) {
      line_started_ = std::chrono::steady_clock::now();
      const auto deadline = *line_started_ + this->request_timeout();
      if (deadline < timer_.expiry()) wait_idle(deadline);
    }
    this->set_receiving(!line_seen_ || !partial_.empty());
  }

  // The line did not arrive whole within the request timeout: the earlier answers are written,
  // then the connection closes (as after QUIT).
  void drop_slow_line() {
    this->listener_->log_connection_event(log::Level::warning, "connection_dropped", peer_,
                                          {{"reason", "request_timeout"}}, true);
    line_started_.reset();
    stop_reading_ = true;
    close_after_flush_ = true;
    flush();
  }

  // A write completes once the kernel has taken every byte, which it stops doing when the client
  // does not read and the socket buffers are full.
  void arm_send_timer() {
    send_timer_.expires_after(std::chrono::seconds(this->options().send_timeout_seconds));
    send_timer_.async_wait(
        [self = shared_from_this(), write = writes_done_](const boost::system::error_code& ec) {
          // A timer that fired while its write completed must not drop the connection.
          if (ec || self->closed_ || !self->writing_ || self->writes_done_ != write) return;
          self->listener_->log_connection_event(
              log::Level::warning, "connection_dropped", self->peer_,
              {{"reason", "send_timeout"}, {"unsent_bytes", std::to_string(self->unsent_bytes_)}});
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
          self->note_partial_line(std::string_view(self->buffer_.data(), n));
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

  // A guess of another connection from this address was answered while this one's lines were
  // held for a place in the budget.
  void place_freed() {
    if (closed_ || held_.empty() || unknown_lookups_ > 0) return;
    resume();
    flush();
    read();
  }

  // False when the line must wait (a second lookup of an unknown code, or no place in the
  // address's budget); it is then not handled.
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
        // 1.1 adds to 1 and changes nothing in it: a client that asks for 1 is told 1.
        const std::string* proto = req.find("proto");
        if (proto != nullptr && *proto != "1" && *proto != "1.1") {
          push_ready(protocol::Response::error(req.tag,
                                               domain::to_string(SeatError::unsupported_proto),
                                               "this server speaks protocols 1 and 1.1")
                         .field("proto", "1.1")
                         .line());
          return true;
        }
        push_ready(protocol::Response::ok(req.tag)
                       .field("proto", proto != nullptr ? *proto : "1.1")
                       .field("server", options.server_name)
                       .field("version", options.version)
                       // From the catalog in force (a reload may change it): the shortest
                       // interval a checkout advises, so the two never disagree.
                       .field("heartbeat", server_->service.catalog()->advised_heartbeat_seconds())
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
      const auto now = InvalidCodeLimiter::Clock::now();
      auto wait = limiter.retry_after(peer_, now);
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
      if (lookup.unknown && !limiter.place_free(peer_, now)) {
        // Other connections' guesses hold the rest of the budget: wait for one's answer.
        std::weak_ptr<Connection> weak = shared_from_this();
        limiter.wait_for_place(peer_, [weak] {
          // Posted: the answer that frees the place is still being handled.
          if (auto self = weak.lock())
            asio::post(self->listener_->io(), [self] { self->place_freed(); });
        });
        return false;
      }
      lookup.active = true;
      if (lookup.unknown) {
        ++unknown_lookups_;
        limiter.begin_guess(peer_, now);
      }
    }
    if (built.command.op == seat::Operation::checkout) built.command.peer = peer_key(peer_);
    const std::uint64_t seq = base_seq_ + slots_.size();
    slots_.push_back(Slot{});
    ++unanswered_;
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
      server_->limiter.answered(peer_, InvalidCodeLimiter::Clock::now(), lookup.code, result.error,
                                lookup.unknown);
    --unanswered_;
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
    // A batch's answers all arrive in one handler (SeatService::deliver): while more of this
    // connection's are due, they are written after it in one send, not one send each (which at
    // 16 connections pipelining 32 deep had tripled the network thread's CPU per operation).
    // The last one due is written at once, sparing an unpipelined client the extra hand-off.
    if (flush_posted_) return;
    if (unanswered_ == 0) {
      flush();
      read();
      return;
    }
    flush_posted_ = true;
    asio::post(send_timer_.get_executor(), [self = shared_from_this()] {
      self->flush_posted_ = false;
      self->flush();
      self->read();
    });
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
  asio::steady_timer send_timer_;  // runs while a write is under way
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
  // When the first bytes of partial_ came; unset while no line is incomplete.
  std::optional<std::chrono::steady_clock::time_point> line_started_;
  bool line_seen_ = false;  // a whole line has come
  bool reading_ = false;
  bool writing_ = false;
  bool flush_posted_ = false;   // a flush of the answers completed in this handler is on its way
  std::size_t unanswered_ = 0;  // seat requests submitted and not yet completed
  bool stop_reading_ = false;
  bool close_after_flush_ = false;
  bool shutting_down_ = false;  // TLS close_notify under way
};

std::shared_ptr<ListenerConnection> SeatServerState::make_connection(
    std::shared_ptr<Listener> listener, tcp::socket socket, std::string peer,
    std::shared_ptr<ssl::context> tls_context) {
  return make_plain_or_tls<Connection, TlsStream>(shared_from_this(), std::move(listener),
                                                  std::move(socket), std::move(peer),
                                                  std::move(tls_context));
}

SeatServer::SeatServer(asio::io_context& io, seat::SeatService& service,
                       InvalidCodeLimiter& limiter, SeatServerOptions options)
    : SeatServer(io, std::make_shared<SeatServerState>(service, limiter, std::move(options))) {}

SeatServer::SeatServer(asio::io_context& io, std::shared_ptr<SeatServerState> state)
    : ListeningServer(io, state->options.listener, state, ConnectionEvents::unnamed),
      impl_(std::move(state)) {}

}  // namespace lmp::net
