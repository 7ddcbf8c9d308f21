// Route lookup and the answers for requests no route takes.
#include "http/router.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "http/json_response.hpp"

namespace lmp::http {

void Router::add(std::string method, std::string path, Handler handler, Access access) {
  if (find(method, path) != nullptr)
    throw std::logic_error("http route " + method + " " + path + " is registered twice");
  routes_.push_back(Route{std::move(method), std::move(path), std::move(handler), access});
}

void Router::set_authenticator(Authenticator authenticator) {
  authenticator_ = std::move(authenticator);
}

const Router::Route* Router::find(const std::string& method, const std::string& path) const {
  for (const auto& route : routes_)
    if (route.path == path && route.method == method) return &route;
  return nullptr;
}

std::vector<std::string> Router::methods_for(const std::string& path) const {
  std::vector<std::string> methods;
  for (const auto& route : routes_)
    if (route.path == path) methods.push_back(route.method);
  std::sort(methods.begin(), methods.end());
  return methods;
}

void Router::dispatch(HttpRequest& request, Reply reply) const {
  const Route* route = find(request.method, request.path);
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
  if (!authenticator_) {
    reply(error_response(401, "unauthorized", "this endpoint needs a bearer token")
              .header("WWW-Authenticate", "Bearer"));
    return;
  }
  // Routes live as long as the router, which outlives every connection's requests.
  authenticator_(request, [route, &request, reply = std::move(reply)](AuthOutcome outcome) {
    if (outcome.refusal) {
      reply(std::move(*outcome.refusal));
      return;
    }
    request.principal = std::move(outcome.principal);
    route->handler(request, reply);
  });
}

}  // namespace lmp::http
