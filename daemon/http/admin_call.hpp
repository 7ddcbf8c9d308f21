// What every admin route shares (included only by daemon/http/admin_*.cpp): one call's context
// (caller, unit of work, time, body, path ids) and the domain Context it gives its operation,
// pagination, and the registration that runs a handler on the admin worker inside one
// transaction, turning the domain's refusals into answers.
#pragma once

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "domain/caller.hpp"
#include "domain/context.hpp"
#include "domain/event.hpp"
#include "domain/lease.hpp"
#include "domain/licenses.hpp"
#include "domain/partners.hpp"
#include "domain/product.hpp"
#include "domain/unit_of_work.hpp"
#include "domain/webhook.hpp"
#include "http/admin_api.hpp"
#include "http/admin_request.hpp"
#include "http/http_message.hpp"
#include "http/router.hpp"

namespace lmp::net {
class InvalidCodeLimiter;
}

namespace lmp::http {

struct AdminCall {
  const HttpRequest& request;
  const domain::Caller& caller;
  domain::UnitOfWork& db;
  std::int64_t now_ms;
  boost::json::object body;          // empty for GET, and for a DELETE that sends none
  const domain::Products& products;  // the configured products, as of this call
  domain::LiveSeats& seats;
  const domain::SiteTrust* trust;  // null: the vendor's own server
  // An answer other than JSON (a CSV report) the handler wrote: sent instead of its return value.
  std::optional<HttpResponse> answer;
  // A dry run: the write transaction is rolled back after the handler, whatever it did, so a
  // dry run can answer by running the very operation it previews.
  bool roll_back = false;
  // The call was a wrong guess answered without an exception (a failed password login, whose
  // audit record is committed): charged to the address's budget on an add_guessable route.
  bool wrong_guess = false;

  // The n-th `{}` of the path as an id; 404 when it is not one.
  std::int64_t path_id(std::size_t n, std::string_view what) const;
  // The n-th `{}` of the path as a lease reference; 404 when it is not one.
  std::string path_lease_ref(std::size_t n) const;
  // A query parameter, percent-decoded; nullopt when absent. 400 on bad percent coding.
  std::optional<std::string> query(std::string_view name) const;
  std::optional<std::int64_t> query_id(std::string_view name) const;  // 400 unless a count
  // Unix seconds or a UTC date YYYY-MM-DD, as Unix ms; 400 otherwise.
  std::optional<std::int64_t> query_time_ms(std::string_view name) const;
  domain::Page page() const;  // limit (1..1000, default 100) and after; 400 when malformed
  // The page to read: one row more than asked, to know whether more follow.
  domain::Page lookahead() const {
    auto p = page();
    return {p.after, p.limit + 1};
  }
  // The same for a list of leases, whose cursor is a lease reference.
  domain::LeasePage lease_page() const;
  domain::LeasePage lease_lookahead() const {
    auto p = lease_page();
    return {p.after, p.limit + 1};
  }

  // Body fields: a non-empty string of at most 200 bytes / an id / absent. 400 otherwise.
  std::optional<std::string> optional_text(std::string_view field) const;
  std::optional<std::int64_t> optional_id(std::string_view field) const;
  std::optional<std::int64_t> optional_count(std::string_view field, std::int64_t min,
                                             std::int64_t max) const;
  std::optional<bool> optional_bool(std::string_view field) const;
  // A time in Unix seconds (1 to the end of 9999), as Unix ms.
  std::optional<std::int64_t> optional_time_ms(std::string_view field) const;

  // What the domain operation of this call runs in.
  domain::Context context() const { return {db, caller, now_ms, products, &seats, trust}; }
};

// The cursor of the next page after a row of a list: its id.
template <class Row>
std::string cursor_of(const Row& row) {
  return std::to_string(row.id);
}
inline std::string cursor_of(const domain::AccountView& row) {
  return std::to_string(row.account.id);
}
inline std::string cursor_of(const domain::Event& row) {
  return std::to_string(row.seq);
}
inline std::string cursor_of(const domain::WebhookDelivery& row) {
  return std::to_string(row.event.seq);
}
inline std::string cursor_of(const domain::Lease& row) {
  return row.ref;
}
inline std::string cursor_of(const domain::LicenseUsage& row) {
  return std::to_string(row.license.id);
}

// {"items": [...], "next": cursor or null}; `rows` was read with limit + 1 to know whether
// another page follows.
template <class Row, class Page, class ToJson>
boost::json::object page_of(const std::vector<Row>& rows, const Page& page, ToJson to_json);

// `engine`: a change the seat engine makes in a transaction of its own (a lease release). The
// call reads in a read transaction, so that on SQLite it holds no write lock against the engine
// it waits for; its body is read like a write's, and the operation refuses read-only callers.
// `own_session`: a change to the caller's own console session (logout), in a write transaction
// and allowed to read-only callers too.
enum class Mode { read, write, engine, own_session };

// The name of the web console's session cookie (docs/console.md).
inline constexpr std::string_view kConsoleCookie = "lmp_session";
// The session id in the request's console cookie; empty when there is none.
std::string console_session_cookie(const HttpRequest& request);
using AdminHandler = std::function<boost::json::value(AdminCall&)>;

// The shared parts of the admin API, and the registration of its routes.
class AdminRoutes {
 public:
  AdminRoutes(Router& router, domain::UnitOfWork& db, domain::AdminWorker& worker,
              NetworkExecutor to_network, const Clock& clock, CatalogSource products,
              net::InvalidCodeLimiter& limiter, domain::LiveSeats& seats,
              std::shared_ptr<const domain::SiteTrust> trust);
  // A bearer-token route. Mode::write calls need a JSON object body (POST, PUT) or none
  // (DELETE), run in a write transaction and are refused to read-only (suspended) callers;
  // Mode::engine calls take a body the same way (see Mode).
  void add(std::string method, std::string path, Mode mode, AdminHandler handler);
  // The handler of such a route, for a route that asks for a token on some requests only (it
  // runs past the router's authentication step: Router::authenticate_then).
  Handler bearer_handler(Mode mode, AdminHandler handler);
  // An open write route whose body carries a secret that can be guessed (a registration key):
  // the bearer token is optional (without one the caller is anonymous), and each refusal that is
  // a wrong guess (http/domain_errors.hpp) is charged to the address's invalid-code budget, shared
  // with the activation codes of the seat path (429 rate_limited once it is spent).
  void add_guessable(std::string method, std::string path, AdminHandler handler);
  // An open read route: no bearer token is asked for (a token sent is ignored), and the handler
  // runs in a read transaction as an anonymous caller. For what is public by design (the
  // signing keys' JWK Set).
  void add_open(std::string method, std::string path, AdminHandler handler);
  // The handler of such a route.
  Handler open_handler(AdminHandler handler);
  Router& router() { return router_; }
  // The router's authenticator: a valid, unrevoked token of an account that is not canceled,
  // sent as a bearer token or through a console session opened with it (its cookie, and for
  // every method but GET and HEAD its CSRF token); the principal is the token's id, or
  // "user:<id>" for a session opened with a user's password.
  void authenticate(const HttpRequest& request, std::function<void(AuthOutcome)> done);

 private:
  struct Outcome {
    HttpResponse response;
    bool wrong_guess = false;
  };
  // One call in one transaction: the caller from `caller_of` (nullopt: 401), the handler, and
  // the error mapping.
  // One call of an add_guessable route, past the invalid-code budget or waiting for a place in
  // it.
  void serve_guessable(std::shared_ptr<const AdminHandler> handler, HttpRequest& request,
                       Reply reply);
  // Runs `check` (given the outcome to fill and the time) in a read transaction on the worker,
  // then `done` with its outcome on the network thread; 503 when storage fails.
  void authenticate_on_worker(std::function<void(AuthOutcome&, std::int64_t)> check,
                              std::function<void(AuthOutcome)> done);
  // authenticate() for a request that sent no bearer token but the console cookie.
  void authenticate_session(const HttpRequest& request, std::string session,
                            std::function<void(AuthOutcome)> done);
  Outcome run(const HttpRequest& request, Mode mode, const AdminHandler& handler,
              boost::json::object body,
              const std::function<std::optional<domain::Caller>()>& caller_of);

  Router& router_;
  domain::UnitOfWork& db_;
  domain::AdminWorker& worker_;
  NetworkExecutor to_network_;
  const Clock& clock_;
  CatalogSource products_;
  net::InvalidCodeLimiter& limiter_;
  domain::LiveSeats& seats_;
  std::shared_ptr<const domain::SiteTrust> trust_;
};

void add_account_routes(AdminRoutes& routes);
void add_customer_routes(AdminRoutes& routes);
void add_user_routes(AdminRoutes& routes);
void add_audit_routes(AdminRoutes& routes);
void add_event_routes(AdminRoutes& routes);
void add_webhook_routes(AdminRoutes& routes);
void add_product_routes(AdminRoutes& routes);
void add_license_routes(AdminRoutes& routes);
void add_lease_routes(AdminRoutes& routes);
void add_usage_routes(AdminRoutes& routes);
void add_plan_routes(AdminRoutes& routes);
void add_key_routes(AdminRoutes& routes);
void add_pool_routes(AdminRoutes& routes);
void add_branding_routes(AdminRoutes& routes);
void add_policy_routes(AdminRoutes& routes);
void add_signing_key_routes(AdminRoutes& routes);
// The registration keys' list (GET /v1/registration-keys), which GET /v1/keys with a bearer
// token also answers for one more release (admin_signing_key_routes.cpp).
boost::json::value list_registration_keys(AdminCall& call);
void add_entitlement_routes(AdminRoutes& routes);
void add_console_session_routes(AdminRoutes& routes);

template <class Row, class Page, class ToJson>
boost::json::object page_of(const std::vector<Row>& rows, const Page& page, ToJson to_json) {
  boost::json::array items;
  const std::size_t shown = std::min(rows.size(), static_cast<std::size_t>(page.limit));
  for (std::size_t i = 0; i < shown; ++i) items.emplace_back(to_json(rows[i]));
  boost::json::object out;
  out["items"] = std::move(items);
  if (rows.size() > shown)
    out["next"] = cursor_of(rows[shown - 1]);
  else
    out["next"] = nullptr;
  return out;
}

}  // namespace lmp::http
