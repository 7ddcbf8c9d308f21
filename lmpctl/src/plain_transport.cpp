// HTTP/1.1 over TCP with Boost.Beast, one connection per exchange. The operations are
// asynchronous only so that one deadline timer can cancel whichever of them hangs. (A lookup
// already inside getaddrinfo cannot be cancelled: the system resolver's timeouts bound it.)
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "transport.hpp"

namespace lmpctl {

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

// An answer larger than this is not one the API gives.
constexpr std::uint64_t kMaxAnswerBytes = 64 * 1024 * 1024;

class PlainTransport : public Transport {
 public:
  explicit PlainTransport(ServerUrl server) : server_(std::move(server)) {}

  HttpAnswer exchange(const HttpExchange& request, std::chrono::seconds timeout) override {
    asio::io_context io;
    tcp::resolver resolver(io);
    tcp::socket socket(io);
    asio::steady_timer deadline(io, timeout);
    bool timed_out = false;
    boost::system::error_code failure;
    std::string stage = "resolve";

    http::request<http::string_body> message{http::string_to_verb(request.method),
                                             server_.base_path + request.target, 11};
    if (message.method() == http::verb::unknown) message.method_string(request.method);
    message.set(http::field::host, server_.authority());
    message.set(http::field::user_agent, "lmpctl");
    message.set(http::field::accept, "application/json");
    message.set(http::field::connection, "close");
    if (!request.token.empty()) message.set(http::field::authorization, "Bearer " + request.token);
    if (!request.body.empty()) {
      message.set(http::field::content_type, "application/json");
      message.body() = request.body;
    }
    message.prepare_payload();

    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxAnswerBytes);

    auto fail = [&](boost::system::error_code ec) {
      if (!failure) failure = ec;
      deadline.cancel();
    };
    deadline.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      timed_out = true;
      resolver.cancel();
      boost::system::error_code ignored;
      socket.close(ignored);
    });
    resolver.async_resolve(
        server_.host, std::to_string(server_.port),
        [&](boost::system::error_code ec, const tcp::resolver::results_type& endpoints) {
          if (ec) return fail(ec);
          stage = "connect to";
          asio::async_connect(socket, endpoints, [&](boost::system::error_code ec, auto&&) {
            if (ec) return fail(ec);
            stage = "send to";
            http::async_write(socket, message, [&](boost::system::error_code ec, std::size_t) {
              if (ec) return fail(ec);
              stage = "read the answer of";
              http::async_read(socket, buffer, parser,
                               [&](boost::system::error_code ec, std::size_t) {
                                 if (ec) return fail(ec);
                                 deadline.cancel();
                               });
            });
          });
        });
    io.run();

    const std::string where = server_.authority();
    if (timed_out)
      throw TransportError("no answer from " + where + " within " +
                           std::to_string(timeout.count()) + " s (timed out; see --timeout)");
    if (failure) throw TransportError("cannot " + stage + " " + where + ": " + failure.message());
    return HttpAnswer{static_cast<int>(parser.get().result_int()), parser.get().body()};
  }

 private:
  ServerUrl server_;
};

}  // namespace

std::unique_ptr<Transport> make_transport(const ServerUrl& server) {
  return std::make_unique<PlainTransport>(server);
}

}  // namespace lmpctl
