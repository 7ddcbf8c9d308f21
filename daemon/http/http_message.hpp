// One HTTP request and its response as route handlers see them: plain standard-library types, so
// that handler code (seat operations now, the admin API next) never includes Boost.Beast.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lmp::http {

struct HttpRequest {
  std::string method;  // as sent, e.g. "POST"; methods are case-sensitive (RFC 9110)
  std::string path;    // the target up to '?', not percent-decoded
  std::string query;   // after '?', without it; empty when there is none
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased, in order sent
  std::string body;
  std::string peer;       // the client's address, for the invalid-code limiter and logs
  bool tls = false;       // came over TLS (a cookie set in the answer is then Secure)
  std::string principal;  // who the route's authentication step admitted; empty on open routes
  // The path segments that matched `{}` in the route's pattern, in order (e.g. the id of
  // /v1/customers/{}); not percent-decoded.
  std::vector<std::string> path_params;
  // Set by a handler that queues work for long (a checkout with `wait`): called on the network
  // thread if the client goes away before the request is answered, to take that work back.
  std::function<void()> on_abandoned;

  // The first header of that (lowercase) name, or nullptr.
  const std::string* header(std::string_view lowercase_name) const {
    for (const auto& [name, value] : headers)
      if (name == lowercase_name) return &value;
    return nullptr;
  }
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  // Added to what the server sets; a Cache-Control here replaces the default no-store.
  std::vector<std::pair<std::string, std::string>> headers;

  HttpResponse& header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// Sends the response of the request being handled. Call it exactly once, on the network thread,
// now or later (asynchronous handlers keep it). Calls after the first, or after the client went
// away, do nothing.
using Reply = std::function<void(HttpResponse)>;

}  // namespace lmp::http
