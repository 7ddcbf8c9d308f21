// Posting one event to a receiver: one connection per attempt, closed after the answer (a
// receiver down for a day is the case to handle, not a hot path).
#include "http/webhook_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace lmp::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

struct Target {
  std::string host;
  std::string port = "80";
  std::string path = "/";
};

// The URL as domain/webhooks.cpp accepted it: http://host[:port][/path].
std::optional<Target> parse_url(const std::string& url) {
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0) return std::nullopt;
  const std::string rest = url.substr(scheme.size());
  const std::size_t slash = rest.find('/');
  Target target;
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) target.path = rest.substr(slash);
  // [v6]:port, host:port or host.
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string::npos) return std::nullopt;
    target.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      target.port = authority.substr(close + 2);
  } else {
    const std::size_t colon = authority.rfind(':');
    target.host = authority.substr(0, colon);
    if (colon != std::string::npos) target.port = authority.substr(colon + 1);
  }
  if (target.host.empty() || target.port.empty()) return std::nullopt;
  return target;
}

class BeastWebhookClient final : public domain::WebhookSender {
 public:
  domain::SendOutcome post(const std::string& url, const std::string& body,
                           const std::string& event_id, const std::string& event_type,
                           const std::string& signature) override {
    domain::SendOutcome outcome;
    const auto target = parse_url(url);
    if (!target) {
      outcome.error = "the url cannot be parsed";
      return outcome;
    }
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    beast::flat_buffer buffer;
    bhttp::request<bhttp::string_body> request{bhttp::verb::post, target->path, 11};
    request.set(bhttp::field::host, target->host + ":" + target->port);
    request.set(bhttp::field::user_agent, "lmpd");
    request.set(bhttp::field::content_type, "application/json");
    request.set(bhttp::field::connection, "close");
    request.set(std::string(domain::kSignatureHeader), signature);
    request.set(std::string(domain::kEventIdHeader), event_id);
    request.set(std::string(domain::kEventTypeHeader), event_type);
    request.body() = body;
    request.prepare_payload();
    bhttp::response<bhttp::string_body> response;
    // One deadline over every step; an error at any step ends the attempt with its message.
    auto fail = [&](std::string_view step, const beast::error_code& ec) {
      outcome.error = std::string(step) + ": " + ec.message();
    };
    stream.expires_after(domain::kSendTimeout);
    resolver.async_resolve(
        target->host, target->port,
        [&](const beast::error_code& ec, const asio::ip::tcp::resolver::results_type& results) {
          if (ec) return fail("resolve", ec);
          stream.async_connect(
              results, [&](const beast::error_code& ec2, const asio::ip::tcp::endpoint&) {
                if (ec2) return fail("connect", ec2);
                bhttp::async_write(stream, request, [&](const beast::error_code& ec3, std::size_t) {
                  if (ec3) return fail("send", ec3);
                  bhttp::async_read(stream, buffer, response,
                                    [&](const beast::error_code& ec4, std::size_t) {
                                      if (ec4) return fail("read the answer", ec4);
                                      outcome.http_status = response.result_int();
                                    });
                });
              });
        });
    io.run();
    beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    if (outcome.error.empty() && outcome.http_status &&
        (*outcome.http_status < 200 || *outcome.http_status > 299))
      outcome.error = "the receiver answered " + std::to_string(*outcome.http_status);
    if (outcome.error.empty() && !outcome.http_status) outcome.error = "no answer";
    return outcome;
  }
};

}  // namespace

std::unique_ptr<domain::WebhookSender> make_webhook_client() {
  return std::make_unique<BeastWebhookClient>();
}

}  // namespace lmp::http
