// The web console's login over HTTP (docs/console.md): a bearer token or a user's password
// exchanged for a session
// cookie and its CSRF token, the CSRF token read again after a reload, and logout.
#include <boost/json/object.hpp>
#include <string>

#include "domain/console_sessions.hpp"
#include "domain/domain_error.hpp"
#include "http/admin_call.hpp"
#include "http/domain_errors.hpp"
#include "http/json_response.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

// The cookie's attributes: never readable by scripts, never sent with another site's requests,
// for every path (the console and the API it calls), Secure when the listener is TLS.
std::string session_cookie(const HttpRequest& request, const std::string& value,
                           std::int64_t max_age_seconds) {
  std::string cookie =
      std::string(kConsoleCookie) + "=" + value +
      "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_seconds);
  if (request.tls) cookie += "; Secure";
  return cookie;
}

// Opened with a token ({"token"}) or a user's login name and password ({"user", "password"}).
json::value log_in(AdminCall& call) {
  std::optional<domain::OpenedSession> opened;
  if (call.body.contains("token")) {
    opened =
        domain::open_console_session(call.db, admin_request::text(call.body, "token"), call.now_ms);
  } else {
    const auto user = admin_request::optional_secret(call.body, "user");
    const auto password = admin_request::optional_secret(call.body, "password");
    if (!user || !password) throw bad_request("give token, or user and password");
    opened = domain::open_password_session(call.context(), *user, *password);
    if (!opened) {
      // Answered, not thrown: the failure's audit record is committed with the transaction.
      call.wrong_guess = true;
      call.answer = error_response(
          domain::DomainError(domain::ErrorCode::unauthorized, "the user or password is wrong"));
      return nullptr;
    }
  }
  json::object out{{"csrf_token", opened->csrf_token}, {"expires", opened->expires_at_ms / 1000}};
  call.answer = json_response(200, out).header(
      "Set-Cookie",
      session_cookie(call.request, opened->id, (opened->expires_at_ms - call.now_ms) / 1000));
  return out;
}

// The page's script keeps the CSRF token in memory only: after a reload it asks again (the
// answer is readable by the console's own origin alone).
json::value current_session(AdminCall& call) {
  const std::string session = console_session_cookie(call.request);
  if (session.empty()) throw domain::not_found("console session (log in with a token)");
  return json::object{{"csrf_token", domain::console_csrf_token(session)}};
}

json::value log_out(AdminCall& call) {
  domain::close_console_session(call.db, console_session_cookie(call.request));
  json::object out{{"logged_out", true}};
  call.answer = json_response(200, out).header("Set-Cookie", session_cookie(call.request, "", 0));
  return out;
}

}  // namespace

void add_console_session_routes(AdminRoutes& routes) {
  // Each login is a guess at a token or a password until it succeeds: the seat path's
  // invalid-code budget.
  routes.add_guessable("POST", "/v1/console/session", log_in);
  routes.add("GET", "/v1/console/session", Mode::read, current_session);
  routes.add("DELETE", "/v1/console/session", Mode::own_session, log_out);
}

}  // namespace lmp::http
