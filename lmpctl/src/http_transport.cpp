// HTTP/1.1 over TCP, or over TLS for https:// servers, with Boost.Beast: one connection per
// exchange. The operations are asynchronous only so that one deadline timer can cancel whichever
// of them hangs. (A lookup already inside getaddrinfo cannot be cancelled: the system resolver's
// timeouts bound it.)
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "command_line.hpp"
#include "transport.hpp"

namespace lmpctl {

namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

// An answer larger than this is not one the API gives.
constexpr std::uint64_t kMaxAnswerBytes = 64 * 1024 * 1024;

bool is_ip_address(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

class HttpTransport : public Transport {
 public:
  HttpTransport(ServerUrl server, const std::string& ca_file) : server_(std::move(server)) {
    if (server_.scheme != "https") return;
    tls_.emplace(ssl::context::tls_client);
    tls_->set_verify_mode(ssl::verify_peer);
    boost::system::error_code ec;
    if (ca_file.empty())
      tls_->set_default_verify_paths(ec);
    else
      tls_->load_verify_file(ca_file, ec);
    // A CA file that cannot be read is a configuration mistake (exit 2), not a server problem.
    if (ec)
      throw UsageError(ca_file.empty() ? "cannot read the system's CA certificates: " + ec.message()
                                       : "--ca-file " + ca_file + ": " + ec.message());
  }

  HttpAnswer exchange(const HttpExchange& request, std::chrono::seconds timeout) override {
    asio::io_context io;
    tcp::resolver resolver(io);
    tcp::socket socket(io);
    std::optional<ssl::stream<tcp::socket&>> tls_stream;
    if (tls_) tls_stream.emplace(socket, *tls_);
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
    // The same request and answer over either stream.
    auto converse = [&](auto& stream) {
      stage = "send to";
      http::async_write(stream, message, [&](boost::system::error_code ec, std::size_t) {
        if (ec) return fail(ec);
        stage = "read the answer of";
        http::async_read(stream, buffer, parser, [&](boost::system::error_code ec, std::size_t) {
          if (ec) return fail(ec);
          deadline.cancel();
        });
      });
    };
    resolver.async_resolve(
        server_.host, std::to_string(server_.port),
        [&](boost::system::error_code ec, const tcp::resolver::results_type& endpoints) {
          if (ec) return fail(ec);
          stage = "connect to";
          asio::async_connect(socket, endpoints, [&](boost::system::error_code ec, auto&&) {
            if (ec) return fail(ec);
            if (!tls_stream) return converse(socket);
            if (!verify_name(*tls_stream)) return fail(asio::error::invalid_argument);
            stage = "verify the TLS certificate of";
            tls_stream->async_handshake(ssl::stream_base::client,
                                        [&](boost::system::error_code ec) {
                                          if (ec) return fail(ec);
                                          converse(*tls_stream);
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
  // The certificate must name the host of the URL: its IP address, or its DNS name (also sent as
  // SNI). A CA-signed certificate for another name is refused like an unknown one.
  bool verify_name(ssl::stream<tcp::socket&>& stream) const {
    SSL* handle = stream.native_handle();
    X509_VERIFY_PARAM* param = SSL_get0_param(handle);
    if (is_ip_address(server_.host))
      return X509_VERIFY_PARAM_set1_ip_asc(param, server_.host.c_str()) == 1;
    return X509_VERIFY_PARAM_set1_host(param, server_.host.c_str(), 0) == 1 &&
           SSL_set_tlsext_host_name(handle, server_.host.c_str()) == 1;
  }

  ServerUrl server_;
  std::optional<ssl::context> tls_;  // https only
};

}  // namespace

std::unique_ptr<Transport> make_transport(const ServerUrl& server, const std::string& ca_file) {
  return std::make_unique<HttpTransport>(server, ca_file);
}

}  // namespace lmpctl
