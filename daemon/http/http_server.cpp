// Connections of the HTTP listener (Boost.Beast), over plain TCP or TLS: request parsing with
// header and body limits, keep-alive with one request at a time (pipelined requests are answered
// in order), idle timeout, the TLS handshake deadline, connection limits, draining on stop, and
// the health routes.
#include "http/http_server.hpp"

#include <time.h>

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
#include <stdexcept>
#include <type_traits>
#include <unordered_set>
#include <utility>

#include "core/log.hpp"
#include "core/log_throttle.hpp"
#include "http/json_response.hpp"
#include "http/router.hpp"
#include "http/seat_routes.hpp"
#include "net/accept_retry.hpp"
#include "net/connection_limits.hpp"
#include "net/listener_connection.hpp"
#include "net/tls_context.hpp"
#include "net/tls_stream.hpp"

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

// Best effort: the refused client learns why before the close.
void refuse(tcp::socket& socket, std::string_view message) {
  const std::string body =
      R"({"error":{"code":"unavailable","message":")" + std::string(message) + R"("}})";
  const std::string response =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
      "Connection: close\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  boost::system::error_code ignored;
  socket.non_blocking(true, ignored);
  socket.write_some(asio::buffer(response), ignored);
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  socket.close(ignored);
}

std::string peer_of(const tcp::socket& socket) {
  boost::system::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  return ec ? std::string("unknown") : endpoint.address().to_string();
}

HttpResponse status_response(int status, std::string_view state) {
  boost::json::object body;
  body["status"] = state;
  return json_response(status, body);
}

}  // namespace

struct HttpServerState {
  HttpServerState(asio::io_context& io_context, HttpServerOptions opts)
      : io(io_context),
        options(std::move(opts)),
        acceptor(io_context),
        limits(options.max_connections, options.max_connections_per_address),
        accept_retry(io_context, "admin") {}

  void accept(const std::shared_ptr<HttpServerState>& self);
  // Best effort: a plain client learns why before the close. A TLS client cannot read plain
  // text, and a handshake is what the limit saves, so it just sees the connection close.
  void refuse(tcp::socket& socket, std::string_view message) const {
    if (options.tls) {
      boost::system::error_code ignored;
      socket.close(ignored);
      return;
    }
    http::refuse(socket, message);
  }

  asio::io_context& io;
  HttpServerOptions options;
  tcp::acceptor acceptor;
  net::ConnectionLimits limits;  // counts exactly the members of `connections`
  Router router;
  std::unordered_set<std::shared_ptr<net::ListenerConnection>> connections;
  bool stopped = false;  // stop() began: readyz says draining, connections close when done
  // Refusals, accept errors and failed handshakes come in floods when they come at all.
  log::Throttle flood_log{log::kFloodBurst, log::kFloodWindow};
  net::AcceptRetry accept_retry;
};

template <class Stream>
class HttpConnection final : public net::ListenerConnection {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  // `context` is the TLS context of a TLS connection (kept alive for it), null for plain TCP.
  HttpConnection(std::shared_ptr<HttpServerState> server, tcp::socket socket, std::string peer,
                 std::shared_ptr<asio::ssl::context> context)
      : server_(std::move(server)),
        context_(std::move(context)),
        socket_(net::make_stream<Stream>(std::move(socket), context_.get())),
        timer_(server_->io),
        peer_(std::move(peer)) {
    boost::system::error_code ec;
    net::lowest(socket_).set_option(tcp::no_delay(true), ec);
  }

  void start() override {
    if constexpr (kTls) {
      handshake();
    } else {
      arm_idle_timer();
      next_request();
    }
  }

  void close() override {
    if (closed_) return;
    closed_ = true;
    // The request in flight will not be answered: its handler takes back what it queued.
    if (busy_ && answered_id_ != request_id_ && request_.on_abandoned)
      std::exchange(request_.on_abandoned, nullptr)();
    boost::system::error_code ec;
    timer_.cancel();
    net::lowest(socket_).shutdown(tcp::socket::shutdown_both, ec);
    net::lowest(socket_).close(ec);
    server_->limits.release(peer_);
    server_->connections.erase(shared_from_this());
  }

  // A connection with nothing in flight closes now; one with a request in flight answers it,
  // then whatever complete requests it had already received, and closes.
  void drain() override {
    if (closed_) return;
    if (!busy_ || lingering_ || handshaking_) close();
  }

 private:
  // Hides the base's, so that handlers hold the connection as its own type.
  std::shared_ptr<HttpConnection> shared_from_this() {
    return std::static_pointer_cast<HttpConnection>(net::ListenerConnection::shared_from_this());
  }

  // The timer guards the handshake: a peer that connects and says nothing (or too little)
  // gives its slot back after tls_handshake_timeout_seconds.
  void handshake() {
    handshaking_ = true;
    arm_timer(std::chrono::seconds(server_->options.tls_handshake_timeout_seconds));
    socket_.async_handshake(asio::ssl::stream_base::server,
                            [self = shared_from_this()](const boost::system::error_code& ec) {
                              if (self->closed_) return;
                              self->handshaking_ = false;
                              if (ec) {
                                self->handshake_failed(net::handshake_failure_reason(ec),
                                                       ec.message());
                                return;
                              }
                              self->arm_idle_timer();
                              self->next_request();
                            });
  }

  void handshake_failed(std::string_view reason, const std::string& error) {
    net::report_handshake_failure("admin", peer_, reason, error,
                                  server_->options.on_tls_handshake_failure, server_->flood_log);
    close();
  }

  void arm_idle_timer() { arm_timer(std::chrono::seconds(server_->options.idle_timeout_seconds)); }

  void arm_timer(std::chrono::steady_clock::duration after) {
    timer_.expires_after(after);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->closed_) return;
      if (self->lingering_) {
        self->close();
        return;
      }
      if (self->handshaking_) {
        self->handshake_failed("timeout", "no TLS handshake within the timeout");
        return;
      }
      // The client does not read: the kernel stopped taking the response.
      if (self->writing_) {
        log::warning("connection_dropped",
                     {{"listener", "admin"}, {"peer", self->peer_}, {"reason", "send_timeout"}});
        self->close();
        return;
      }
      // A checkout waiting for a unit is not idleness: only close when nothing is in flight.
      if (self->busy_) {
        self->arm_idle_timer();
        return;
      }
      log::info("connection_idle_closed", {{"listener", "admin"}, {"peer", self->peer_}});
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
    if (server_->stopped) {
      close();
      return;
    }
    if (parser_->is_header_done() && !continue_sent_ && expects_continue()) {
      send_continue();
      return;
    }
    read_more();
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
    busy_ = true;
    request_version_ = 11;
    request_keep_alive_ = false;
    const auto id = ++request_id_;
    respond(id, std::move(response));
  }

  void dispatch() {
    busy_ = true;
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
    // Answers carry leases and license details: no cache may keep them.
    out.set(bhttp::field::cache_control, "no-store");
    for (auto& [name, value] : response.headers) out.insert(name, value);
    out.body() = std::move(response.body);
    // While draining, stay open only for requests already received.
    const bool keep_alive = request_keep_alive_ && (!server_->stopped || buffer_.size() > 0);
    out.keep_alive(keep_alive);
    out.prepare_payload();
    writing_ = true;
    arm_timer(std::chrono::seconds(options.send_timeout_seconds));
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
    if (server_->stopped) {
      close();
      return;
    }
    if constexpr (kTls) {
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
  std::shared_ptr<asio::ssl::context> context_;  // TLS only: the context it started with
  Stream socket_;
  asio::steady_timer
      timer_;  // idle timeout, the send timeout while writing, or the linger deadline
  std::string peer_;
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
  bool closed_ = false;
  bool handshaking_ = false;
};

void HttpServerState::accept(const std::shared_ptr<HttpServerState>& self) {
  acceptor.async_accept([self](const boost::system::error_code& ec, tcp::socket socket) {
    if (self->stopped) return;
    if (!ec) {
      std::string peer = peer_of(socket);
      switch (self->limits.admit(peer)) {
        case net::ConnectionLimits::Verdict::admitted: {
          std::shared_ptr<net::ListenerConnection> connection;
          if (self->options.tls)
            connection = std::make_shared<HttpConnection<TlsStream>>(self, std::move(socket), peer,
                                                                     self->options.tls->current());
          else
            connection = std::make_shared<HttpConnection<tcp::socket>>(self, std::move(socket),
                                                                       peer, nullptr);
          self->connections.insert(connection);
          connection->start();
          break;
        }
        case net::ConnectionLimits::Verdict::over_total:
          self->refuse(socket, "too many connections, retry later");
          log::write_throttled(
              self->flood_log, log::Level::warning, "connection_refused",
              {{"listener", "admin"}, {"peer", peer}, {"reason", "max_connections"}});
          break;
        case net::ConnectionLimits::Verdict::over_per_address:
          self->refuse(socket, "too many connections from this address, retry later");
          log::write_throttled(
              self->flood_log, log::Level::warning, "connection_refused",
              {{"listener", "admin"}, {"peer", peer}, {"reason", "max_connections_per_address"}});
          break;
      }
    } else if (ec == asio::error::operation_aborted) {
      return;
    } else {
      self->accept_retry.failed(ec, self->flood_log, self->options.on_accept_failure, [self] {
        if (!self->stopped) self->accept(self);
      });
      return;
    }
    self->accept(self);
  });
}

HttpServer::HttpServer(asio::io_context& io, seat::SeatService& service,
                       net::InvalidCodeLimiter& limiter, HttpServerOptions options)
    : impl_(std::make_shared<HttpServerState>(io, std::move(options))) {
  auto& router = impl_->router;
  add_seat_routes(router, service, limiter, impl_->options.max_wait_seconds);
  router.add("GET", "/healthz",
             [](HttpRequest&, Reply reply) { reply(status_response(200, "ok")); });
  // The router lives in the state, so its handlers may point at the state.
  router.add("GET", "/readyz", [state = impl_.get()](HttpRequest&, Reply reply) {
    reply(state->stopped ? status_response(503, "draining") : status_response(200, "ready"));
  });
}

HttpServer::~HttpServer() {
  boost::system::error_code ec;
  impl_->stopped = true;
  impl_->acceptor.close(ec);
  auto connections = impl_->connections;
  for (auto& connection : connections) connection->close();
}

Router& HttpServer::router() {
  return impl_->router;
}

void HttpServer::start() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(impl_->options.address, ec);
  if (ec) throw std::runtime_error("admin listener: invalid address " + impl_->options.address);
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& acceptor = impl_->acceptor;
  const std::string where = impl_->options.address + ":" + std::to_string(impl_->options.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("admin listener: cannot listen on " + where + ": " + ec.message());
  log::info("listening", {{"listener", "admin"},
                          {"address", impl_->options.address},
                          {"port", std::to_string(port())}});
  impl_->accept(impl_);
}

std::uint16_t HttpServer::port() const {
  boost::system::error_code ec;
  auto endpoint = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

void HttpServer::stop() {
  impl_->stopped = true;
  impl_->accept_retry.cancel();
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
  auto connections = impl_->connections;
  for (auto& connection : connections) connection->drain();
}

bool HttpServer::draining() const {
  return impl_->stopped;
}

std::size_t HttpServer::connection_count() const {
  return impl_->connections.size();
}

}  // namespace lmp::http
