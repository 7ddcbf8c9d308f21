// One HTTP/1.1 GET on the client's own non-blocking socket (the deadline handling of the seat
// connections), the answer read with Beast's response parser, the URL read with Boost.URL.
#include "keys_fetch.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/url/parse.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "client_error.hpp"
#include "jwk_set.hpp"
#include "server_address.hpp"
#include "tcp_transport.hpp"

namespace lmp::client {
namespace {

namespace http = boost::beast::http;

[[noreturn]] void bad_url(std::string_view text, const std::string& why) {
  throw ClientError(LMP_ERR_INVALID_ARGUMENT,
                    "the keys URL '" + std::string(text.substr(0, 200)) + "' " + why);
}

// Closes the socket on every way out.
struct Socket {
  int fd;
  ~Socket() { ::close(fd); }
};

}  // namespace

std::string KeysUrl::to_string() const {
  bool v6 = host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + target;
}

KeysUrl parse_keys_url(std::string_view text) {
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) bad_url(text, "is not an absolute URL");
  const auto& url = *parsed;
  if (url.scheme_id() == boost::urls::scheme::https)
    throw ClientError(LMP_ERR_UNSUPPORTED,
                      "https:// keys URLs are not supported yet: give the key set as a file");
  if (url.scheme_id() != boost::urls::scheme::http) bad_url(text, "is not an http:// URL");
  if (url.has_userinfo() || url.has_fragment()) bad_url(text, "has user info or a fragment");
  KeysUrl out;
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

std::string fetch_key_set(const KeysUrl& url, std::chrono::milliseconds timeout) {
  const Deadline deadline = std::chrono::steady_clock::now() + timeout;
  const std::string where = url.to_string();
  auto unreachable = [&](const std::string& why) {
    return ClientError(LMP_ERR_UNREACHABLE, "cannot fetch the keys from " + where + ": " + why);
  };
  ServerAddress server;
  server.host = url.host;
  server.port = url.port;
  Socket socket{connect_socket(server, deadline)};

  bool v6 = url.host.find(':') != std::string::npos;
  std::string request =
      "GET " + url.target + " HTTP/1.1\r\nHost: " + (v6 ? "[" + url.host + "]" : url.host) + ":" +
      std::to_string(url.port) + "\r\nAccept: application/json\r\nConnection: close\r\n\r\n";
  std::string_view unsent = request;
  while (!unsent.empty()) {
    ssize_t n = ::send(socket.fd, unsent.data(), unsent.size(), MSG_NOSIGNAL);
    if (n > 0) {
      unsent.remove_prefix(static_cast<std::size_t>(n));
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait_for(socket.fd, POLLOUT, deadline)) throw unreachable("timed out sending");
    } else {
      throw unreachable(std::string("send failed: ") + std::strerror(errno));
    }
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
      if (ec) throw unreachable("the server closed the connection mid-answer");
      break;
    }
    if (!wait_for(socket.fd, POLLIN, deadline)) throw unreachable("timed out waiting for it");
    char chunk[4096];
    ssize_t n = ::recv(socket.fd, chunk, sizeof chunk, 0);
    if (n > 0)
      received.append(chunk, static_cast<std::size_t>(n));
    else if (n == 0)
      closed = true;
    else if (errno != EAGAIN && errno != EINTR)
      throw unreachable(std::string("receive failed: ") + std::strerror(errno));
  }
  auto message = parser.release();
  if (message.result_int() != 200)
    throw ClientError(LMP_ERR_PROTOCOL, where + " answered HTTP " +
                                            std::to_string(message.result_int()) +
                                            " instead of the key set");
  return std::move(message.body());
}

}  // namespace lmp::client
