// One HTTP/1.1 GET over the seat connections' transports (their deadlines, and OpenSSL for
// https), the answer read with Beast's response parser, the URL read with Boost.URL.
#include "keys_fetch.hpp"

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <memory>

#include "client_error.hpp"
#include "jwk_set.hpp"
#include "server_address.hpp"
#include "tcp_transport.hpp"
#include "tls_transport.hpp"

namespace lmp::client {
namespace {

namespace http = boost::beast::http;

[[noreturn]] void bad_url(std::string_view text, const std::string& why) {
  throw ClientError(LMP_ERR_INVALID_ARGUMENT,
                    "the keys URL '" + std::string(text.substr(0, 200)) + "' " + why);
}

}  // namespace

std::string KeysUrl::to_string() const {
  bool v6 = host.find(':') != std::string::npos;
  return (tls ? "https://" : "http://") + (v6 ? "[" + host + "]" : host) + ":" +
         std::to_string(port) + target;
}

KeysUrl parse_keys_url(std::string_view text) {
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) bad_url(text, "is not an absolute URL");
  const auto& url = *parsed;
  const bool tls = url.scheme_id() == boost::urls::scheme::https;
  if (!tls && url.scheme_id() != boost::urls::scheme::http)
    bad_url(text, "is not an http:// or https:// URL");
  if (url.has_userinfo() || url.has_fragment()) bad_url(text, "has user info or a fragment");
  KeysUrl out;
  out.tls = tls;
  out.port = tls ? 443 : 80;
  if (url.host_type() == boost::urls::host_type::ipv6)
    out.host = std::string(url.encoded_host_address());
  else
    out.host = url.host();  // percent-decoded
  if (out.host.empty()) bad_url(text, "names no host");
  if (url.has_port()) {
    auto port_text = url.port();
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535)
      bad_url(text, "needs a port from 1 to 65535");
    out.port = static_cast<std::uint16_t>(port);
  }
  std::string path(url.encoded_path());
  out.target = path.empty() || path == "/" ? "/v1/keys" : path;
  if (url.has_query()) out.target += "?" + std::string(url.encoded_query());
  return out;
}

std::string fetch_key_set(const KeysUrl& url, const TlsSettings* tls,
                          std::chrono::milliseconds timeout) {
  const Deadline deadline = std::chrono::steady_clock::now() + timeout;
  const std::string where = url.to_string();
  ServerAddress server;
  server.host = url.host;
  server.port = url.port;
  std::unique_ptr<Transport> connection;
  try {
    if (!url.tls) {
      connection = connect_tcp(server, deadline);
    } else if (tls != nullptr) {
      connection = connect_tls(server, *tls, deadline);
    } else {
      const TlsSettings system_cas("", "", "");
      connection = connect_tls(server, system_cas, deadline);
    }
    const bool v6 = url.host.find(':') != std::string::npos;
    connection->write(
        "GET " + url.target + " HTTP/1.1\r\nHost: " + (v6 ? "[" + url.host + "]" : url.host) + ":" +
            std::to_string(url.port) + "\r\nAccept: application/json\r\nConnection: close\r\n\r\n",
        deadline);
  } catch (const ClientError& ex) {
    if (ex.code() != LMP_ERR_UNREACHABLE) throw;
    throw ClientError(LMP_ERR_UNREACHABLE,
                      "cannot fetch the keys from " + where + ": " + ex.what());
  }

  http::response_parser<http::string_body> parser;
  parser.eager(true);
  parser.body_limit(kMaxKeySetSize);
  parser.header_limit(16384);
  std::string received;
  bool closed = false;
  while (!parser.is_done()) {
    boost::system::error_code ec;
    if (!received.empty()) {
      std::size_t used = parser.put(boost::asio::buffer(received), ec);
      received.erase(0, used);
      if (ec == http::error::need_more) ec = {};
      if (ec)
        throw ClientError(LMP_ERR_PROTOCOL, "the answer from " + where +
                                                " is not a usable HTTP answer: " + ec.message());
      if (parser.is_done()) break;
    }
    if (closed) {
      // A body without a length ends with the connection.
      parser.put_eof(ec);
      if (ec)
        throw ClientError(LMP_ERR_UNREACHABLE, "cannot fetch the keys from " + where +
                                                   ": the server closed the connection mid-answer");
      break;
    }
    char chunk[4096];
    std::size_t n = 0;
    try {
      n = connection->read_some(chunk, sizeof chunk, deadline);
    } catch (const ClientError& ex) {
      throw ClientError(LMP_ERR_UNREACHABLE,
                        "cannot fetch the keys from " + where + ": " + ex.what());
    }
    if (n == 0) closed = true;
    received.append(chunk, n);
  }
  auto message = parser.release();
  if (message.result_int() != 200)
    throw ClientError(LMP_ERR_PROTOCOL, where + " answered HTTP " +
                                            std::to_string(message.result_int()) +
                                            " instead of the key set");
  return std::move(message.body());
}

}  // namespace lmp::client
