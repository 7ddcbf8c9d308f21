// Route lookup and the answers for requests no route takes.
#include "http/router.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string_view>

#include "http/json_response.hpp"

namespace lmp::http {

namespace {

// True when `path` matches `pattern` segment by segment, `{}` taking any non-empty segment;
// the segments taken go to `params`.
bool matches(std::string_view pattern, std::string_view path, std::vector<std::string>* params) {
  // Segments are cut after their leading '/': a target without one ("*", "ab") would otherwise
  // have its first character taken for the slash.
  if (path.empty() || path.front() != '/') return false;
  std::vector<std::string> taken;
  while (true) {
    const auto pattern_end = pattern.find('/', 1);
    const auto path_end = path.find('/', 1);
    const std::string_view want = pattern.substr(0, pattern_end);
    const std::string_view got = path.substr(0, path_end);
    if (want == "/{}") {
      if (got.size() < 2) return false;
      taken.emplace_back(got.substr(1));
    } else if (want != got) {
      return false;
    }
    if (pattern_end == std::string_view::npos || path_end == std::string_view::npos) {
      if (pattern_end != path_end) return false;
      break;
    }
    pattern.remove_prefix(pattern_end);
    path.remove_prefix(path_end);
  }
  if (params != nullptr) *params = std::move(taken);
  return true;
}

}  // namespace

void Router::add(std::string method, std::string path, Handler handler, Access access) {
  if (path.empty() || path.front() != '/')
    throw std::logic_error("http route " + method + " " + path + " does not start with '/'");
  bool duplicate = false;
  for (const auto& route : routes_) duplicate |= route.method == method && route.path == path;
  if (duplicate)
    throw std::logic_error("http route " + method + " " + path + " is registered twice");
  routes_.push_back(Route{std::move(method), std::move(path), std::move(handler), access});
}

void Router::set_authenticator(Authenticator authenticator) {
  authenticator_ = std::move(authenticator);
}

const Router::Route* Router::find(const HttpRequest& request,
                                  std::vector<std::string>* params) const {
  for (const auto& route : routes_)
    if (route.method == request.method && matches(route.path, request.path, params)) return &route;
  return nullptr;
}

std::vector<std::string> Router::methods_for(const std::string& path) const {
  std::vector<std::string> methods;
  for (const auto& route : routes_)
    if (matches(route.path, path, nullptr)) methods.push_back(route.method);
  std::sort(methods.begin(), methods.end());
  methods.erase(std::unique(methods.begin(), methods.end()), methods.end());
  return methods;
}

void Router::dispatch(HttpRequest& request, Reply reply) const {
  const Route* route = find(request, &request.path_params);
  if (route == nullptr) {
    auto methods = methods_for(request.path);
    if (methods.empty()) {
      reply(error_response(404, "not_found", "no such endpoint: " + request.path));
      return;
    }
    std::string allow;
    for (const auto& m : methods) allow += (allow.empty() ? "" : ", ") + m;
    reply(error_response(405, "method_not_allowed",
                         request.path + " accepts " + allow + ", not " + request.method)
              .header("Allow", allow));
    return;
  }
  if (route->access == Access::open) {
    route->handler(request, std::move(reply));
    return;
  }
  authenticate_then(route->handler, request, std::move(reply));
}

void Router::authenticate_then(const Handler& handler, HttpRequest& request, Reply reply) const {
  if (!authenticator_) {
    reply(error_response(401, "unauthorized", "this endpoint needs a bearer token")
              .header("WWW-Authenticate", "Bearer"));
    return;
  }
  // Routes live as long as the router, which outlives every connection's requests.
  authenticator_(request, [&handler, &request, reply = std::move(reply)](AuthOutcome outcome) {
    if (outcome.refusal) {
      reply(std::move(*outcome.refusal));
      return;
    }
    request.principal = std::move(outcome.principal);
    handler(request, reply);
  });
}

}  // namespace lmp::http
