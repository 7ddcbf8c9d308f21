// The admin API's shared machinery: authentication, one transaction per call on the admin
// worker, errors, request fields, pagination and audit records.
#include "http/admin_call.hpp"

#include "core/calendar.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "domain/admin_worker.hpp"
#include "domain/console_sessions.hpp"
#include "domain/credentials.hpp"
#include "domain/limits.hpp"
#include "domain/seat_error.hpp"
#include "domain/store_error.hpp"
#include "http/console_routes.hpp"
#include "http/domain_errors.hpp"
#include "http/json_response.hpp"
#include "net/rate_limiter.hpp"
#include "protocol/request_parser.hpp"
#include "seat/product_facts.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

HttpResponse unauthorized(const std::string& message) {
  return error_response(401, "unauthorized", message).header("WWW-Authenticate", "Bearer");
}

// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), or "".
std::string bearer_token(const HttpRequest& request) {
  const std::string* header = request.header("authorization");
  if (header == nullptr || header->size() < 7) return {};
  std::string scheme = header->substr(0, 7);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "bearer ") return {};
  std::string token = header->substr(7);
  while (!token.empty() && token.front() == ' ') token.erase(token.begin());
  while (!token.empty() && token.back() == ' ') token.pop_back();
  return token;
}

// The cookie goes with every request the browser sends here, whichever site made it: a change
// needs the CSRF token too, which only the console's own pages can read (docs/console.md).
std::optional<HttpResponse> csrf_refusal(const HttpRequest& request, const std::string& session) {
  if (request.method == "GET" || request.method == "HEAD") return std::nullopt;
  const std::string* sent = request.header("x-csrf-token");
  if (sent != nullptr && domain::console_csrf_matches(session, *sent)) return std::nullopt;
  return error_response(403, "csrf_token_invalid",
                        "a change sent with the console cookie needs its X-CSRF-Token header");
}

// The principal of a user logged in to the console with its password: "user:<id>"; a token's
// holder's is the token's id.
constexpr std::string_view kUserPrincipal = "user:";

// The caller behind an authenticated principal, loaded in the call's own transaction: every
// check of the credential is made again there. nullopt: no access (any more).
std::optional<domain::Caller> caller_of_principal(domain::UnitOfWork& db,
                                                  std::string_view principal, std::int64_t now) {
  if (principal.starts_with(kUserPrincipal)) {
    const auto user_id = protocol::parse_count(principal.substr(kUserPrincipal.size()));
    return user_id ? domain::load_user_caller(db, *user_id) : std::nullopt;
  }
  const auto token_id = protocol::parse_count(principal);
  return token_id ? domain::load_caller(db, *token_id, now) : std::nullopt;
}

// The principal a console session stands for: its token's, or its password-logged user's.
std::optional<std::string> session_principal(domain::UnitOfWork& db, std::string_view session,
                                             std::int64_t now) {
  const auto holder = domain::console_session_holder(db, session, now);
  if (!holder) return std::nullopt;
  return holder->token_id ? std::to_string(*holder->token_id)
                          : std::string(kUserPrincipal) + std::to_string(holder->user_id);
}

}  // namespace

std::int64_t AdminCall::path_id(std::size_t n, std::string_view what) const {
  return admin_request::path_id(request.path_params, n, what);
}

std::string AdminCall::path_lease_ref(std::size_t n) const {
  if (n >= request.path_params.size() || !admin_request::is_lease_ref(request.path_params[n]))
    throw not_found("lease");
  return request.path_params[n];
}

std::optional<std::string> AdminCall::query(std::string_view name) const {
  return admin_request::query(request.query, name);
}

std::optional<std::int64_t> AdminCall::query_id(std::string_view name) const {
  return admin_request::query_id(request.query, name);
}

std::optional<std::int64_t> AdminCall::query_time_ms(std::string_view name) const {
  return admin_request::query_time_ms(request.query, name);
}

domain::Page AdminCall::page() const {
  return admin_request::page(request.query);
}

domain::LeasePage AdminCall::lease_page() const {
  return admin_request::lease_page(request.query);
}

std::optional<std::string> AdminCall::optional_text(std::string_view field) const {
  return admin_request::optional_text(body, field);
}

std::optional<std::int64_t> AdminCall::optional_id(std::string_view field) const {
  return admin_request::optional_id(body, field);
}

std::optional<std::int64_t> AdminCall::optional_count(std::string_view field, std::int64_t min,
                                                      std::int64_t max) const {
  return admin_request::optional_count(body, field, min, max);
}

std::optional<bool> AdminCall::optional_bool(std::string_view field) const {
  return admin_request::optional_bool(body, field);
}

std::optional<std::int64_t> AdminCall::optional_time_ms(std::string_view field) const {
  const auto seconds = optional_count(field, 1, domain::kLatestMs / 1000);
  return seconds ? std::optional<std::int64_t>(*seconds * 1000) : std::nullopt;
}

AdminRoutes::AdminRoutes(Router& router, domain::UnitOfWork& db, domain::AdminWorker& worker,
                         NetworkExecutor to_network, const Clock& clock, CatalogSource products,
                         net::InvalidCodeLimiter& limiter, domain::LiveSeats& seats,
                         std::shared_ptr<const domain::SiteTrust> trust)
    : router_(router),
      db_(db),
      worker_(worker),
      to_network_(std::move(to_network)),
      clock_(clock),
      products_(std::move(products)),
      limiter_(limiter),
      seats_(seats),
      trust_(std::move(trust)) {}

std::string console_session_cookie(const HttpRequest& request) {
  const std::string* header = request.header("cookie");
  return header == nullptr ? std::string() : admin_request::cookie(*header, kConsoleCookie);
}

void AdminRoutes::authenticate(const HttpRequest& request, std::function<void(AuthOutcome)> done) {
  std::string token = bearer_token(request);
  // A bearer token wins over the cookie: a browser never adds one to another site's request,
  // so such a request needs no CSRF token.
  if (token.empty()) {
    if (std::string session = console_session_cookie(request); !session.empty()) {
      authenticate_session(request, std::move(session), std::move(done));
      return;
    }
    done(AuthOutcome{unauthorized("this endpoint needs Authorization: Bearer <token>"), {}});
    return;
  }
  authenticate_on_worker(
      [this, hash = domain::token_hash(token)](AuthOutcome& outcome, std::int64_t now) {
        auto row = db_.users().find_token_by_hash(hash);
        // The same answer for an unknown, a revoked and a canceled account's token; an expired
        // one is told so, as its holder only needs a new one.
        if (row && !row->revoked_at_ms && row->expired_at(now)) {
          const std::int64_t expired = *row->expires_at_ms / 1000;
          outcome.refusal = unauthorized("the token expired at " + calendar::format_utc(expired) +
                                         "; ask for a new one");
        } else if (!row || !domain::load_caller(db_, row->id, now)) {
          outcome.refusal = unauthorized("the token is not valid");
        } else {
          outcome.principal = std::to_string(row->id);
        }
      },
      std::move(done));
}

void AdminRoutes::authenticate_on_worker(std::function<void(AuthOutcome&, std::int64_t)> check,
                                         std::function<void(AuthOutcome)> done) {
  worker_.submit([this, check = std::move(check), done = std::move(done)] {
    AuthOutcome outcome;
    try {
      db_.begin_read();
      check(outcome, clock_.now_unix_ms());
      db_.commit();
    } catch (const domain::StoreError& ex) {
      db_.rollback();
      log::error("admin_storage_failed", {{"step", "authenticate"}, {"error", ex.what()}});
      outcome.refusal = error_response(503, "unavailable", "storage is unavailable; retry");
    }
    to_network_([done, outcome = std::move(outcome)]() mutable { done(std::move(outcome)); });
  });
}

void AdminRoutes::authenticate_session(const HttpRequest& request, std::string session,
                                       std::function<void(AuthOutcome)> done) {
  if (auto refusal = csrf_refusal(request, session)) {
    done(AuthOutcome{std::move(*refusal), {}});
    return;
  }
  authenticate_on_worker(
      [this, session = std::move(session)](AuthOutcome& outcome, std::int64_t now) {
        // The session's token is checked as a bearer token is, at every request; a password
        // session's user as its tokens' user is (gone, or its account canceled: no access).
        auto principal = session_principal(db_, session, now);
        if (!principal || !caller_of_principal(db_, *principal, now))
          outcome.refusal = error_response(401, "unauthorized", "the session ended; log in again");
        else
          outcome.principal = std::move(*principal);
      },
      std::move(done));
}

void AdminRoutes::add(std::string method, std::string path, Mode mode, AdminHandler handler) {
  router_.add(std::move(method), std::move(path), bearer_handler(mode, std::move(handler)),
              Access::bearer_token);
}

Handler AdminRoutes::bearer_handler(Mode mode, AdminHandler handler) {
  return [this, mode, handler = std::move(handler)](HttpRequest& request, Reply reply) {
    json::object body;
    // A call without fields (issuing a token) may send no body; a body sent must be JSON.
    if (mode != Mode::read && !request.body.empty()) {
      HttpResponse error;
      if (!parse_json_object(request, body, error)) {
        reply(std::move(error));
        return;
      }
    }
    // `request` stays valid until `reply` is called, which happens after the job.
    worker_.submit([this, mode, handler, &request, body = std::move(body),
                    reply = std::move(reply)]() mutable {
      auto caller_of = [this, &request] {
        return caller_of_principal(db_, request.principal, clock_.now_unix_ms());
      };
      auto response = run(request, mode, handler, std::move(body), caller_of).response;
      to_network_([reply = std::move(reply), response = std::move(response)]() mutable {
        reply(std::move(response));
      });
    });
  };
}

void AdminRoutes::add_open(std::string method, std::string path, AdminHandler handler) {
  router_.add(std::move(method), std::move(path), open_handler(std::move(handler)));
}

Handler AdminRoutes::open_handler(AdminHandler handler) {
  return [this, handler = std::move(handler)](HttpRequest& request, Reply reply) {
    // `request` stays valid until `reply` is called, which happens after the job.
    worker_.submit([this, handler, &request, reply = std::move(reply)]() mutable {
      auto anonymous = [] { return std::optional<domain::Caller>(domain::Caller::anonymous()); };
      auto response = run(request, Mode::read, handler, {}, anonymous).response;
      to_network_([reply = std::move(reply), response = std::move(response)]() mutable {
        reply(std::move(response));
      });
    });
  };
}

void AdminRoutes::add_guessable(std::string method, std::string path, AdminHandler handler) {
  router_.add(std::move(method), std::move(path),
              [this, handler = std::make_shared<const AdminHandler>(std::move(handler))](
                  HttpRequest& request, Reply reply) {
                serve_guessable(handler, request, std::move(reply));
              });
}

void AdminRoutes::serve_guessable(std::shared_ptr<const AdminHandler> handler, HttpRequest& request,
                                  Reply reply) {
  json::object body;
  HttpResponse error;
  if (!parse_json_object(request, body, error)) {
    reply(std::move(error));
    return;
  }
  // The console's session stands for its token here as everywhere (a customer's user redeems a
  // key into its own customer), with the same CSRF rule; a bearer token wins over it.
  std::string session = bearer_token(request).empty() ? console_session_cookie(request) : "";
  if (!session.empty()) {
    if (auto refusal = csrf_refusal(request, session)) {
      reply(std::move(*refusal));
      return;
    }
  }
  const auto now = net::InvalidCodeLimiter::Clock::now();
  auto wait = limiter_.retry_after(request.peer, now);
  if (wait > 0) {
    // The seat path's refusal: the same budget, so the same answer.
    const domain::SeatErrorInfo& limited = domain::info(domain::SeatError::rate_limited);
    json::object refusal{{"code", limited.wire},
                         {"message", "too many wrong keys or codes from this address"},
                         {"retry_after", wait}};
    reply(json_response(limited.http_status, json::object{{"error", std::move(refusal)}})
              .header("Retry-After", std::to_string(wait)));
    return;
  }
  // Every call here may be a guess: it holds a place in the budget until it is answered, so
  // that calls queued from many connections cannot overrun the budget; with every place held,
  // it waits for an answer of theirs and checks again.
  if (!limiter_.place_free(request.peer, now)) {
    auto again = std::make_shared<Reply>(std::move(reply));
    limiter_.wait_for_place(request.peer, [this, handler, &request, again] {
      serve_guessable(handler, request, std::move(*again));
    });
    return;
  }
  limiter_.begin_guess(request.peer, now);
  worker_.submit([this, handler, &request, body = std::move(body), session = std::move(session),
                  reply = std::move(reply)]() mutable {
    // The token is optional here: without one (nor a session) the caller is anonymous.
    auto caller_of = [this, &request, &session]() -> std::optional<domain::Caller> {
      const auto now = clock_.now_unix_ms();
      if (!session.empty()) {
        const auto principal = session_principal(db_, session, now);
        return principal ? caller_of_principal(db_, *principal, now) : std::nullopt;
      }
      std::string token = bearer_token(request);
      if (token.empty()) return domain::Caller::anonymous();
      auto row = db_.users().find_token_by_hash(domain::token_hash(token));
      return row ? domain::load_caller(db_, row->id, now) : std::nullopt;
    };
    auto outcome = run(request, Mode::write, *handler, std::move(body), caller_of);
    to_network_([this, peer = request.peer, reply = std::move(reply),
                 outcome = std::move(outcome)]() mutable {
      limiter_.end_guess(peer, net::InvalidCodeLimiter::Clock::now(), outcome.wrong_guess);
      reply(std::move(outcome.response));
    });
  });
}

AdminRoutes::Outcome AdminRoutes::run(
    const HttpRequest& request, Mode mode, const AdminHandler& handler, json::object body,
    const std::function<std::optional<domain::Caller>()>& caller_of) {
  Outcome outcome;
  HttpResponse& response = outcome.response;
  try {
    mode == Mode::write || mode == Mode::own_session ? db_.begin() : db_.begin_read();
    bool roll_back = false;
    try {
      auto caller = caller_of();
      if (!caller) {
        response = unauthorized("the token is not valid");
      } else {
        if (mode == Mode::write) domain::refuse_if_read_only(*caller);
        const auto products = seat::product_facts(*products_());
        AdminCall call{request,         *caller,  db_,    clock_.now_unix_ms(),
                       std::move(body), products, seats_, trust_.get(),
                       std::nullopt,    false,    false};
        auto answer = handler(call);
        response = call.answer ? std::move(*call.answer) : json_response(200, answer);
        roll_back = call.roll_back;
        outcome.wrong_guess = call.wrong_guess;
      }
      roll_back ? db_.rollback() : db_.commit();
    } catch (...) {
      db_.rollback();
      throw;
    }
  } catch (const domain::DomainError& ex) {
    outcome.wrong_guess = http_refusal(ex.code()).wrong_guess;
    response = error_response(ex);
  } catch (const ApiError& ex) {
    response = error_response(ex.status(), ex.code(), ex.what());
  } catch (const domain::StoreError& ex) {
    log::error("admin_storage_failed", {{"path", request.path}, {"error", ex.what()}});
    response = error_response(503, "unavailable", "storage is unavailable; retry");
  } catch (const std::exception& ex) {
    log::error("admin_handler_exception", {{"path", request.path}, {"error", ex.what()}});
    response = error_response(500, "internal", "internal error");
  }
  return outcome;
}

void add_admin_routes(Router& router, domain::UnitOfWork& db, domain::AdminWorker& worker,
                      NetworkExecutor to_network, const Clock& clock, CatalogSource products,
                      net::InvalidCodeLimiter& limiter, domain::LiveSeats& seats,
                      std::shared_ptr<const domain::SiteTrust> trust) {
  // Lives as long as the routes that call it: the router owns it through the authenticator.
  auto routes =
      std::make_shared<AdminRoutes>(router, db, worker, std::move(to_network), clock,
                                    std::move(products), limiter, seats, std::move(trust));
  add_account_routes(*routes);
  add_signing_key_routes(*routes);
  add_entitlement_routes(*routes);
  add_customer_routes(*routes);
  add_user_routes(*routes);
  add_audit_routes(*routes);
  add_event_routes(*routes);
  add_webhook_routes(*routes);
  add_product_routes(*routes);
  add_license_routes(*routes);
  add_lease_routes(*routes);
  add_usage_routes(*routes);
  add_plan_routes(*routes);
  add_key_routes(*routes);
  add_pool_routes(*routes);
  add_branding_routes(*routes);
  add_policy_routes(*routes);
  add_console_session_routes(*routes);
  add_console_routes(router);
  router.set_authenticator(
      [routes](const HttpRequest& request, std::function<void(AuthOutcome)> done) {
        routes->authenticate(request, std::move(done));
      });
}

}  // namespace lmp::http
