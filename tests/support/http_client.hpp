// A blocking HTTP/1.1 client for tests: POSIX sockets for the bytes (so tests can also send raw,
// malformed or pipelined text) and Beast's response parser for the answers.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lmp::test {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
  bool keep_alive = false;

  // The header's value, or "" when absent.
  std::string header(const std::string& lowercase_name) const;
  // The body parsed as JSON (null when it is not JSON).
  boost::json::value json() const;
  // error.code of an error body, or "" when the body is not an error.
  std::string error_code() const;
};

// The text of one request, for send_raw and pipelining. A non-empty body gets Content-Length and
// `content_type` (none when empty).
std::string request_text(std::string_view method, std::string_view target,
                         std::string_view body = {},
                         std::string_view content_type = "application/json",
                         const std::vector<std::string>& extra_headers = {});

class HttpClient {
 public:
  // Connects to 127.0.0.1:port, from `source_address` when given (another loopback address such
  // as 127.0.0.2 looks like another client); throws std::runtime_error when it cannot.
  explicit HttpClient(std::uint16_t port, const std::string& source_address = "");
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  void send_raw(std::string_view bytes);
  // The next response; nullopt on timeout, when the server closed first, or on a parse error.
  std::optional<HttpReply> read_reply(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Sends one request and reads its answer; throws std::runtime_error when none comes.
  HttpReply request(std::string_view method, std::string_view target, std::string_view body = {},
                    std::string_view content_type = "application/json");
  HttpReply get(std::string_view target) { return request("GET", target); }
  HttpReply post(std::string_view target, const boost::json::value& body);
  // True when the server closed the connection (reads EOF or a reset) within the timeout.
  bool closed_by_server(std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string buffer_;
};

}  // namespace lmp::test
