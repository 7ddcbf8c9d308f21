// Connections of the HTTP listener (Boost.Beast), over plain TCP or TLS: request parsing with
// header and body limits, keep-alive with one request at a time (pipelined requests are answered
// in order), idle timeout, the TLS handshake deadline, connection limits, draining on stop, and
// the health routes.
#include "http/http_server.hpp"

#include <time.h>

#include <algorithm>
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cctype>
#include <chrono>
#include <exception>
#include <optional>
#include <utility>

#include "core/log.hpp"
#include "http/json_response.hpp"
#include "http/router.hpp"
#include "http/seat_routes.hpp"
#include "net/listener.hpp"
#include "net/stream_connection.hpp"

namespace lmp::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<tcp::socket>;

namespace {
constexpr std::size_t kReadChunk = 16384;
// After a response that ends the connection, unread request bytes are drained for this long
// before the close, so the kernel does not answer them with a reset that destroys the response
// (a 413 arrives while the client is still sending its body).
constexpr auto kLingerTime = std::chrono::seconds(2);

// An IMF-fixdate for the Date header (RFC 9110 section 5.6.7).
std::string http_date() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char text[40];
  std::size_t n = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
  return std::string(text, n);
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

HttpResponse status_response(int status, std::string_view state) {
  boost::json::object body;
  body["status"] = state;
  return json_response(status, body);
}

// Whether a line of the request head (up to its blank line) ends in LF without CR.
bool bare_line_feed(std::string_view head) {
  head = head.substr(0, head.find("\r\n\r\n"));
  for (auto lf = head.find('\n'); lf != std::string_view::npos; lf = head.find('\n', lf + 1))
    if (lf == 0 || head[lf - 1] != '\r') return true;
  return false;
}

// The refusal a plain client reads when the listener is full.
std::string refusal_text(std::string_view message) {
  const std::string body =
      R"({"error":{"code":"unavailable","message":")" + std::string(message) + R"("}})";
  return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
         "Connection: close\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

struct HttpServerState : net::ConnectionFactory, std::enable_shared_from_this<HttpServerState> {
  explicit HttpServerState(HttpServerOptions opts) : options(std::move(opts)) {}

  std::shared_ptr<net::ListenerConnection> make_connection(
      std::shared_ptr<net::Listener> listener, tcp::socket socket, std::string peer,
      std::shared_ptr<asio::ssl::context> tls_context) override;

  std::string refusal(net::ConnectionLimits::Verdict verdict) const override {
    return refusal_text(verdict == net::ConnectionLimits::Verdict::over_total
                            ? "too many connections, retry later"
                            : "too many connections from this address, retry later");
  }

  const HttpServerOptions options;
  Router router;
};

template <class Stream>
class HttpConnection final : public net::StreamConnection<Stream> {
  using Base = net::StreamConnection<Stream>;
  using Base::close;
  using Base::closed_;
  using Base::peer_;
  using Base::socket_;
  using Base::timer_;  // idle timeout, the send timeout while writing, or the linger deadline

 public:
  HttpConnection(std::shared_ptr<HttpServerState> server, std::shared_ptr<net::Listener> listener,
                 tcp::socket socket, std::string peer, std::shared_ptr<asio::ssl::context> context)
      : Base(std::move(listener), std::move(socket), std::move(peer), std::move(context)),
        server_(std::move(server)) {}

  // A connection with nothing in flight closes now; one with a request in flight answers it,
  // then whatever complete requests it had already received, and closes.
  void drain() override {
    if (closed_) return;
    if (!busy_ || lingering_ || this->handshaking_) close();
  }

 private:
  // Hides the base's, so that handlers hold the connection as its own type.
  std::shared_ptr<HttpConnection> shared_from_this() {
    return std::static_pointer_cast<HttpConnection>(net::ListenerConnection::shared_from_this());
  }

  void begin() override {
    arm_idle_timer();
    next_request();
  }

  // The request in flight will not be answered: its handler takes back what it queued.
  void on_close() override {
    if (busy_ && answered_id_ != request_id_ && request_.on_abandoned)
      std::exchange(request_.on_abandoned, nullptr)();
  }

  bool stopping() const { return this->listener_->stopped(); }

  // The idle timeout, or the end of the request timeout of a request begun when that is sooner.
  void arm_idle_timer() {
    std::chrono::steady_clock::duration after =
        std::chrono::seconds(this->options().idle_timeout_seconds);
    if (request_started_)
      after = std::min(
          after, *request_started_ + this->request_timeout() - std::chrono::steady_clock::now());
    arm_timer(after);
  }

  void arm_timer(std::chrono::steady_clock::duration after) {
    timer_.expires_after(after);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->closed_) return;
      if (self->lingering_) {
        self->close();
        return;
      }
      // The client does not read: the kernel stopped taking the response.
      if (self->writing_) {
        self->listener_->log_connection_event(log::Level::warning, "connection_dropped",
                                              self->peer_, {{"reason", "send_timeout"}});
        self->close();
        return;
      }
      // A checkout waiting for a unit is not idleness: only close when nothing is in flight.
      if (self->busy_) {
        self->arm_idle_timer();
        return;
      }
      if (self->request_started_ &&
          std::chrono::steady_clock::now() >= *self->request_started_ + self->request_timeout()) {
        self->request_timed_out();
        return;
      }
      self->listener_->log_connection_event(log::Level::info, "connection_idle_closed", self->peer_,
                                            {});
      self->close();
    });
  }

  void next_request() {
    parser_.emplace();
    parser_->header_limit(server_->options.max_header_bytes);
    parser_->body_limit(static_cast<std::uint64_t>(server_->options.max_body_bytes));
    parser_->eager(true);
    continue_sent_ = false;
    parse_buffered();
  }

  // Parses what has been read; a pipelined request may already be complete in the buffer.
  void parse_buffered() {
    boost::system::error_code ec;
    while (buffer_.size() > 0 && !parser_->is_done()) {
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == bhttp::error::need_more) break;
      if (ec) {
        refuse_malformed(ec);
        return;
      }
      if (used == 0) break;
    }
    if (parser_->is_done()) {
      dispatch();
      return;
    }
    // Draining: a request not yet received whole is not started.
    if (stopping()) {
      close();
      return;
    }
    note_request_progress();
    if (parser_->is_header_done() && !continue_sent_ && expects_continue()) {
      send_continue();
      return;
    }
    read_more();
  }

  // A request begun (bytes of it parsed or buffered) starts the request clock; the connection
  // waits for a request until its first one and while one is incomplete
  // (net::Listener::set_receiving).
  void note_request_progress() {
    if (!request_started_ && (parser_->got_some() || buffer_.size() > 0)) {
      request_started_ = std::chrono::steady_clock::now();
      arm_idle_timer();
    }
    this->set_receiving(!request_seen_ || request_started_.has_value());
  }

  // The request did not arrive whole in time. Plain HTTP answers 408 first, once the read under
  // way has ended (a response's linger reads too); over TLS, or while a 100 Continue is being
  // written, the connection just closes.
  void request_timed_out() {
    this->listener_->log_connection_event(log::Level::warning, "connection_dropped", peer_,
                                          {{"reason", "request_timeout"}}, true);
    request_started_.reset();
    if constexpr (!Base::kTls) {
      if (reading_) {
        timed_out_ = true;
        boost::system::error_code ignored;
        socket_.cancel(ignored);
        return;
      }
    }
    close();
  }

  bool expects_continue() const {
    const auto& header = parser_->get();
    auto it = header.find(bhttp::field::expect);
    return header.version() >= 11 && it != header.end() &&
           equals_ignoring_case(it->value(), "100-continue");
  }

  // The client waits for this before sending its body (curl does for bodies over 1 KiB).
  void send_continue() {
    static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    continue_sent_ = true;
    asio::async_write(
        socket_, asio::buffer(kContinue),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
          if (self->closed_) return;
          if (ec) {
            self->close();
            return;
          }
          self->read_more();
        });
  }

  void read_more() {
    if (reading_ || closed_) return;
    reading_ = true;
    socket_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
          self->reading_ = false;
          if (self->closed_) return;
          if (self->timed_out_) {
            self->answer_and_close(
                error_response(408, "request_timeout",
                               "the request did not arrive whole within " +
                                   std::to_string(self->options().request_timeout_seconds) +
                                   " seconds of its first byte"));
            return;
          }
          if (ec) {
            // End of stream, or the peer vanished: every complete request was answered.
            self->close();
            return;
          }
          self->buffer_.commit(n);
          self->arm_idle_timer();
          self->parse_buffered();
        });
  }

  // A request that cannot be parsed is answered and ends the connection: where the next
  // request would start is unknown.
  void refuse_malformed(const boost::system::error_code& ec) {
    HttpResponse response;
    const auto& options = server_->options;
    if (ec == bhttp::error::body_limit) {
      response = error_response(
          413, "payload_too_large",
          "the request body may be at most " + std::to_string(options.max_body_bytes) + " bytes");
    } else if (!parser_->is_header_done() && bare_line_feed(buffer_text())) {
      // Beast takes a request line ending in LF alone for an unknown version (505).
      response = error_response(400, "bad_request",
                                "lines of the request head must end in CRLF, not a bare LF");
    } else if (ec == bhttp::error::bad_version) {
      // The parser accepts HTTP/1.0 and HTTP/1.1 only (an HTTP/2 preface lands here too).
      response = error_response(505, "http_version_not_supported",
                                "this server speaks HTTP/1.1 and HTTP/1.0");
    } else if (ec == bhttp::error::header_limit) {
      response = error_response(431, "header_too_large",
                                "the request line and header fields may be at most " +
                                    std::to_string(options.max_header_bytes) + " bytes");
    } else {
      response = error_response(400, "bad_request", "malformed HTTP request: " + ec.message());
    }
    answer_and_close(std::move(response));
  }

  // Answers what is not a request the connection can go on from, then closes.
  void answer_and_close(HttpResponse response) {
    busy_ = true;
    request_version_ = 11;
    request_keep_alive_ = false;
    const auto id = ++request_id_;
    respond(id, std::move(response));
  }

  // What has been read but not parsed yet: after a parse error, the head from the line that
  // failed on (the parser takes whole lines).
  std::string_view buffer_text() const {
    return {static_cast<const char*>(buffer_.data().data()), buffer_.size()};
  }

  void dispatch() {
    busy_ = true;
    request_started_.reset();
    request_seen_ = true;
    this->set_receiving(false);
    bhttp::request<bhttp::string_body> message = parser_->release();
    request_version_ = message.version();
    request_keep_alive_ = message.keep_alive();
    request_ = HttpRequest{};
    request_.method = std::string(message.method_string());
    std::string_view target = message.target();
    auto question = target.find('?');
    request_.path = std::string(target.substr(0, question));
    if (question != std::string_view::npos)
      request_.query = std::string(target.substr(question + 1));
    for (const auto& field : message) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request_.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request_.body = std::move(message.body());
    request_.peer = peer_;
    request_.tls = Base::kTls;
    const auto id = ++request_id_;
    Reply reply = [self = shared_from_this(), id](HttpResponse response) {
      self->respond(id, std::move(response));
    };
    try {
      server_->router.dispatch(request_, reply);
    } catch (const std::exception& ex) {
      // A handler bug fails its request, not the network thread.
      log::error("http_handler_exception", {{"path", request_.path}, {"error", ex.what()}});
      reply(error_response(500, "internal", "the server failed; see its log"));
    }
    if (answered_id_ != id && request_.on_abandoned) watch_peer(id);
  }

  // While a request is in flight the socket is not read (backpressure); for one whose handler
  // may wait long, this waits until the socket is readable, to notice a client that has gone:
  // end of stream or an error closes the connection, which abandons the request. Bytes (a
  // pipelined request) end the watch; they are read after the answer, as ever.
  void watch_peer(std::uint64_t id) {
    net::lowest(socket_).async_wait(
        tcp::socket::wait_read,
        [self = shared_from_this(), id](const boost::system::error_code& ec) {
          if (self->closed_ || self->request_id_ != id || self->answered_id_ == id) return;
          if (ec) {
            self->close();
            return;
          }
          auto& socket = net::lowest(self->socket_);
          boost::system::error_code peeked;
          socket.non_blocking(true, peeked);
          char byte = 0;
          socket.receive(asio::buffer(&byte, 1), tcp::socket::message_peek, peeked);
          if (peeked == asio::error::would_block || peeked == asio::error::try_again) {
            self->watch_peer(id);
            return;
          }
          if (peeked) self->close();  // eof, or reset
        });
  }

  void respond(std::uint64_t id, HttpResponse response) {
    if (closed_ || id != request_id_ || id == answered_id_) return;
    answered_id_ = id;
    const auto& options = server_->options;
    // Beast throws on these, and a throw here would leave the network thread: a handler's
    // mistake must cost its request only.
    if (response.status < 200 || response.status > 599) {
      log::error("http_handler_bad_status",
                 {{"path", request_.path}, {"status", std::to_string(response.status)}});
      response = error_response(500, "internal", "the server failed; see its log");
    }
    if (response.status == 204 || response.status == 304) response.body.clear();
    auto& out = response_.emplace();
    out.version(request_version_);
    out.result(static_cast<unsigned>(response.status));
    out.set(bhttp::field::server, options.server_name + "/" + options.version);
    out.set(bhttp::field::date, http_date());
    out.set(bhttp::field::content_type, response.content_type);
    // Answers carry leases and license details: no cache may keep them, unless the handler says
    // otherwise (the console's static files).
    out.set(bhttp::field::cache_control, "no-store");
    for (auto& [name, value] : response.headers) {
      if (beast::iequals(name, "cache-control"))
        out.set(bhttp::field::cache_control, value);
      else
        out.insert(name, value);
    }
    out.body() = std::move(response.body);
    // While draining, stay open only for requests already received.
    const bool keep_alive = request_keep_alive_ && (!stopping() || buffer_.size() > 0);
    out.keep_alive(keep_alive);
    out.prepare_payload();
    writing_ = true;
    arm_timer(std::chrono::seconds(this->options().send_timeout_seconds));
    bhttp::async_write(
        socket_, out,
        [self = shared_from_this(), keep_alive](const boost::system::error_code& ec, std::size_t) {
          if (self->closed_) return;
          self->writing_ = false;
          self->response_.reset();
          if (ec) {
            self->close();
            return;
          }
          if (!keep_alive) {
            self->linger_close();
            return;
          }
          self->busy_ = false;
          self->arm_idle_timer();
          self->next_request();
        });
  }

  // Sends FIN, then reads and discards until the peer closes too or kLingerTime passes. Over
  // TLS the close_notify exchange does the same: it reads until the peer's close_notify.
  void linger_close() {
    lingering_ = true;
    if (stopping()) {
      close();
      return;
    }
    if constexpr (Base::kTls) {
      arm_timer(kLingerTime);
      socket_.async_shutdown(
          [self = shared_from_this()](const boost::system::error_code&) { self->close(); });
    } else {
      boost::system::error_code ec;
      socket_.shutdown(tcp::socket::shutdown_send, ec);
      if (ec) {
        close();
        return;
      }
      arm_timer(kLingerTime);
      discard();
    }
  }

  void discard() {
    socket_.async_read_some(
        asio::buffer(discard_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
          if (self->closed_) return;
          if (ec) {
            self->close();
            return;
          }
          self->discard();
        });
  }

  std::shared_ptr<HttpServerState> server_;
  beast::flat_buffer buffer_;  // read but not yet parsed: the start of the next request
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  HttpRequest request_;  // the request being handled; handlers hold a reference until they reply
  unsigned request_version_ = 11;
  bool request_keep_alive_ = true;
  std::optional<bhttp::response<bhttp::string_body>> response_;  // being written
  std::uint64_t request_id_ = 0;                                 // the request a Reply answers
  std::uint64_t answered_id_ = 0;  // the last request answered; later replies are ignored
  std::array<char, 4096> discard_{};
  bool busy_ = false;     // a request is being handled or its response written
  bool writing_ = false;  // a response is being written
  bool reading_ = false;
  bool continue_sent_ = false;
  bool lingering_ = false;
  // When the first bytes of the request being received came; unset between requests.
  std::optional<std::chrono::steady_clock::time_point> request_started_;
  bool request_seen_ = false;  // a whole request has come
  bool timed_out_ = false;     // request timeout: answer 408 when the read under way ends
};

std::shared_ptr<net::ListenerConnection> HttpServerState::make_connection(
    std::shared_ptr<net::Listener> listener, tcp::socket socket, std::string peer,
    std::shared_ptr<asio::ssl::context> tls_context) {
  return net::make_plain_or_tls<HttpConnection, TlsStream>(shared_from_this(), std::move(listener),
                                                           std::move(socket), std::move(peer),
                                                           std::move(tls_context));
}

HttpServer::HttpServer(asio::io_context& io, seat::SeatService& service,
                       net::InvalidCodeLimiter& limiter, HttpServerOptions options)
    : HttpServer(io, std::make_shared<HttpServerState>(std::move(options))) {
  auto& router = impl_->router;
  add_seat_routes(router, service, limiter, impl_->options.max_wait_seconds);
  router.add("GET", "/healthz",
             [](HttpRequest&, Reply reply) { reply(status_response(200, "ok")); });
  // The router lives in the state, which the listener owns: its handlers may point at it.
  router.add(
      "GET", "/readyz",
      [listener = &listener(), guard = impl_->options.clock_guard](HttpRequest&, Reply reply) {
        if (listener->stopped()) return reply(status_response(503, "draining"));
        // A clock moved back leaves the instance ready: licenses are judged at the mark, so its
        // answers are right, and taking every instance of a site out of service for the clock of
        // one would refuse everyone's work (docs/entitlements.md, "The clock guard").
        if (!guard || !guard->moved_back()) return reply(status_response(200, "ready"));
        boost::json::object body{{"status", "ready"},
                                 {"clock", "moved_back"},
                                 {"behind_mark_seconds", guard->behind_ms() / 1000},
                                 {"tolerance_seconds", guard->tolerance_seconds()}};
        reply(json_response(200, body));
      });
}

HttpServer::HttpServer(asio::io_context& io, std::shared_ptr<HttpServerState> state)
    : ListeningServer(io, state->options.listener, state, net::ConnectionEvents::named),
      impl_(std::move(state)) {}

Router& HttpServer::router() {
  return impl_->router;
}

}  // namespace lmp::http
