// Maps method + path pattern to a handler, with the answers HTTP expects when nothing matches (404,
// 405 with Allow) and a per-route authentication step that runs before the handler.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "http/http_message.hpp"

namespace lmp::http {

// Who may call a route. Seat and health routes are open (on the seat routes the activation code
// or the lease id is the credential, as on the seat protocol); admin routes need a bearer token.
enum class Access { open, bearer_token };

// The verdict of an authentication step: a refusal to send instead of running the handler, or
// the principal to hand the handler in HttpRequest::principal.
struct AuthOutcome {
  std::optional<HttpResponse> refusal;
  std::string principal;
};

// Decides whether a request may reach an Access::bearer_token route. May answer later (a token
// lookup can need storage); `done` is called exactly once on the network thread.
using Authenticator = std::function<void(const HttpRequest&, std::function<void(AuthOutcome)>)>;

// `request` stays valid until `reply` is called.
using Handler = std::function<void(HttpRequest& request, Reply reply)>;

// Thread safety: add() and set_authenticator() before the server starts; dispatch() on the
// network thread.
class Router {
 public:
  // `path` is exact, except that a segment written `{}` matches any one non-empty segment (an
  // id), handed to the handler in HttpRequest::path_params. Throws std::logic_error if that
  // method and path already have a handler, or if `path` does not start with '/'.
  void add(std::string method, std::string path, Handler handler, Access access = Access::open);
  // Without an authenticator every Access::bearer_token route answers 401: fail closed.
  void set_authenticator(Authenticator authenticator);

  // Runs the route's authentication step and handler, or replies 404 / 405 / 401.
  void dispatch(HttpRequest& request, Reply reply) const;
  // The authentication step of an Access::bearer_token route, then `handler` with the principal
  // (or the refusal instead). For an open route whose handler asks for a token on some requests
  // only; `handler` must live as long as the router (a route's handler does).
  void authenticate_then(const Handler& handler, HttpRequest& request, Reply reply) const;
  // The methods that have a handler for `path` (a request path), sorted; empty when the path is
  // unknown.
  std::vector<std::string> methods_for(const std::string& path) const;

 private:
  struct Route {
    std::string method;
    std::string path;
    Handler handler;
    Access access;
  };
  // The route of the request's method whose pattern matches its path; fills `params` when given.
  const Route* find(const HttpRequest& request, std::vector<std::string>* params = nullptr) const;

  std::vector<Route> routes_;
  Authenticator authenticator_;
};

}  // namespace lmp::http
