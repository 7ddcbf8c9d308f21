// Posting one event to a receiver: one connection per attempt, closed after the answer (a
// receiver down for a day is the case to handle, not a hot path).
#include "http/webhook_client.hpp"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <functional>
#include <stdexcept>

#include "domain/webhook_url.hpp"

namespace lmp::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;
using Fail = std::function<void(std::string_view, const beast::error_code&)>;

// Writes the request and reads the answer on a connected (and, for https, shaken) stream.
template <class Stream>
void exchange(Stream& stream, Request& request, Response& response, beast::flat_buffer& buffer,
              const Fail& fail, domain::SendOutcome& outcome) {
  bhttp::async_write(stream, request, [&](const beast::error_code& ec, std::size_t) {
    if (ec) return fail("send", ec);
    bhttp::async_read(stream, buffer, response, [&](const beast::error_code& ec2, std::size_t) {
      if (ec2) return fail("read the answer", ec2);
      outcome.http_status = response.result_int();
    });
  });
}

class BeastWebhookClient final : public domain::WebhookSender {
 public:
  explicit BeastWebhookClient(const std::string& ca_file) {
    SSL_CTX_set_min_proto_version(tls_.native_handle(), TLS1_2_VERSION);
    tls_.set_verify_mode(asio::ssl::verify_peer);
    boost::system::error_code ec;
    if (ca_file.empty())
      tls_.set_default_verify_paths(ec);
    else
      tls_.load_verify_file(ca_file, ec);
    if (ec)
      throw std::runtime_error(
          "events.webhook_ca_file " +
          (ca_file.empty() ? std::string("(the system's trust store)") : ca_file) +
          ": cannot be read as PEM certificates (" + ec.message() + ")");
  }

  domain::SendOutcome post(const std::string& url, const std::string& body,
                           const std::string& event_id, const std::string& event_type,
                           const std::string& signature) override {
    domain::SendOutcome outcome;
    domain::WebhookUrl target;
    try {
      target = domain::parse_webhook_url(url);
    } catch (const std::exception& e) {
      outcome.error = std::string("the url cannot be used: ") + e.what();
      return outcome;
    }
    Request request{bhttp::verb::post, target.target, 11};
    const bool v6 = target.host.find(':') != std::string::npos;
    request.set(bhttp::field::host,
                (v6 ? "[" + target.host + "]" : target.host) + ":" + target.port);
    request.set(bhttp::field::user_agent, "lmpd");
    request.set(bhttp::field::content_type, "application/json");
    request.set(bhttp::field::connection, "close");
    request.set(std::string(domain::kSignatureHeader), signature);
    request.set(std::string(domain::kEventIdHeader), event_id);
    request.set(std::string(domain::kEventTypeHeader), event_type);
    request.body() = body;
    request.prepare_payload();

    // One deadline over every step; an error at any step ends the attempt with its message.
    const Fail fail = [&](std::string_view step, const beast::error_code& ec) {
      outcome.error = std::string(step) + ": " + ec.message();
    };
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::flat_buffer buffer;
    Response response;
    if (target.tls) {
      beast::ssl_stream<beast::tcp_stream> stream(io, tls_);
      // The certificate must name the host (or address) the URL names.
      stream.set_verify_callback(asio::ssl::host_name_verification(target.host));
      // Server Name Indication carries names only (RFC 6066), never an address.
      boost::system::error_code not_address;
      asio::ip::make_address(target.host, not_address);
      if (not_address) SSL_set_tlsext_host_name(stream.native_handle(), target.host.c_str());
      beast::get_lowest_layer(stream).expires_after(domain::kSendTimeout);
      connect(resolver, beast::get_lowest_layer(stream), target, fail, [&] {
        stream.async_handshake(asio::ssl::stream_base::client, [&](const beast::error_code& ec) {
          if (ec) return fail("TLS handshake", ec);
          exchange(stream, request, response, buffer, fail, outcome);
        });
      });
      io.run();
      beast::error_code ignored;
      beast::get_lowest_layer(stream).socket().shutdown(asio::ip::tcp::socket::shutdown_both,
                                                        ignored);
    } else {
      beast::tcp_stream stream(io);
      stream.expires_after(domain::kSendTimeout);
      connect(resolver, stream, target, fail,
              [&] { exchange(stream, request, response, buffer, fail, outcome); });
      io.run();
      beast::error_code ignored;
      stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    }
    if (outcome.error.empty() && outcome.http_status &&
        (*outcome.http_status < 200 || *outcome.http_status > 299))
      outcome.error = "the receiver answered " + std::to_string(*outcome.http_status);
    if (outcome.error.empty() && !outcome.http_status) outcome.error = "no answer";
    return outcome;
  }

 private:
  // Resolves the URL's host and connects `stream` to one of its addresses, then `connected`.
  static void connect(asio::ip::tcp::resolver& resolver, beast::tcp_stream& stream,
                      const domain::WebhookUrl& target, const Fail& fail,
                      std::function<void()> connected) {
    resolver.async_resolve(
        target.host, target.port,
        [&stream, fail, connected = std::move(connected)](
            const beast::error_code& ec, const asio::ip::tcp::resolver::results_type& results) {
          if (ec) return fail("resolve", ec);
          stream.async_connect(results, [fail, connected](const beast::error_code& ec2,
                                                          const asio::ip::tcp::endpoint&) {
            if (ec2) return fail("connect", ec2);
            connected();
          });
        });
  }

  asio::ssl::context tls_{asio::ssl::context::tls_client};
};

}  // namespace

std::unique_ptr<domain::WebhookSender> make_webhook_client(const std::string& ca_file) {
  return std::make_unique<BeastWebhookClient>(ca_file);
}

}  // namespace lmp::http
