// The admin API's shared machinery: authentication, one transaction per call on the admin
// worker, errors, request fields, pagination and audit records.
#include "http/admin_call.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "domain/admin_worker.hpp"
#include "domain/credentials.hpp"
#include "http/json_response.hpp"
#include "protocol/percent.hpp"
#include "protocol/request_parser.hpp"
#include "storage/seat_store.hpp"

namespace lmp::http {
namespace json = boost::json;

ApiError bad_request(const std::string& message) {
  return ApiError(400, "bad_request", message);
}
ApiError not_found(const std::string& what) {
  return ApiError(404, "not_found", "no such " + what);
}
ApiError forbidden(const std::string& message) {
  return ApiError(403, "forbidden", message);
}
ApiError conflict(std::string code, const std::string& message) {
  return ApiError(409, std::move(code), message);
}

namespace {

constexpr std::size_t kMaxTextBytes = 200;

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

}  // namespace

std::int64_t AdminCall::path_id(std::size_t n, std::string_view what) const {
  if (n >= request.path_params.size()) throw not_found(std::string(what));
  auto id = protocol::parse_count(request.path_params[n]);
  if (!id || *id < 1) throw not_found(std::string(what));
  return *id;
}

std::optional<std::string> AdminCall::query(std::string_view name) const {
  std::string_view rest = request.query;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    std::string value(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    for (char& c : value)
      if (c == '+') c = ' ';
    auto decoded = protocol::percent_decode(value);
    if (!decoded) throw bad_request("the query parameter " + std::string(name) + " is malformed");
    return decoded;
  }
  return std::nullopt;
}

std::optional<std::int64_t> AdminCall::query_id(std::string_view name) const {
  auto text = query(name);
  if (!text) return std::nullopt;
  auto value = protocol::parse_count(*text);
  if (!value) throw bad_request(std::string(name) + " must be a non-negative integer");
  return value;
}

storage::Page AdminCall::page() const {
  storage::Page page;
  if (auto limit = query_id("limit")) {
    if (*limit < 1 || *limit > 1000) throw bad_request("limit must be from 1 to 1000");
    page.limit = static_cast<int>(*limit);
  }
  // The cursor is the last id of the previous page; documented as opaque so it may change.
  if (auto after = query("after")) {
    auto id = protocol::parse_count(*after);
    if (!id) throw bad_request("after must be a cursor from a previous page's next");
    page.after = *id;
  }
  return page;
}

std::optional<std::string> AdminCall::optional_text(std::string_view field) const {
  const json::value* value = body.if_contains(field);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (!value->is_string()) throw bad_request(std::string(field) + " must be a JSON string");
  const auto& text = value->get_string();
  if (text.empty() || text.size() > kMaxTextBytes)
    throw bad_request(std::string(field) + " must have 1 to 200 bytes");
  return std::string(text.data(), text.size());
}

std::string AdminCall::text(std::string_view field) const {
  auto value = optional_text(field);
  if (!value) throw bad_request(std::string(field) + " is required");
  return *value;
}

std::optional<std::int64_t> AdminCall::optional_id(std::string_view field) const {
  const json::value* value = body.if_contains(field);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (value->is_int64() && value->get_int64() > 0) return value->get_int64();
  throw bad_request(std::string(field) + " must be an id (a positive JSON integer)");
}

void AdminCall::require(std::string_view permission) const {
  if (!caller.can(permission))
    throw forbidden("this call needs the " + std::string(permission) + " permission");
}

void AdminCall::audit(std::string_view action, std::string object, std::string scope,
                      std::string before_json, std::string after_json) const {
  storage::AuditRecord record;
  record.at_ms = now_ms;
  record.actor_user_id = caller.user_id;
  record.actor_token_id = caller.token_id;
  record.actor_scope = caller.scope;
  record.scope = std::move(scope);
  record.action = std::string(action);
  record.object = std::move(object);
  record.before_json = std::move(before_json);
  record.after_json = std::move(after_json);
  store.append_audit(record);
}

AdminRoutes::AdminRoutes(Router& router, storage::DomainStore& store, domain::AdminWorker& worker,
                         NetworkExecutor to_network, const Clock& clock)
    : router_(router),
      store_(store),
      worker_(worker),
      to_network_(std::move(to_network)),
      clock_(clock) {}

void AdminRoutes::authenticate(const HttpRequest& request, std::function<void(AuthOutcome)> done) {
  std::string token = bearer_token(request);
  if (token.empty()) {
    done(AuthOutcome{unauthorized("this endpoint needs Authorization: Bearer <token>"), {}});
    return;
  }
  worker_.submit([this, hash = domain::token_hash(token), done = std::move(done)] {
    AuthOutcome outcome;
    try {
      store_.begin_read();
      auto row = store_.find_token_by_hash(hash);
      // The same answer for an unknown, a revoked and a canceled account's token.
      if (!row || !domain::load_caller(store_, row->id))
        outcome.refusal = unauthorized("the token is not valid");
      else
        outcome.principal = std::to_string(row->id);
      store_.commit();
    } catch (const storage::StoreError& ex) {
      store_.rollback();
      log::error("admin_storage_failed", {{"step", "authenticate"}, {"error", ex.what()}});
      outcome.refusal = error_response(503, "unavailable", "storage is unavailable; retry");
    }
    to_network_([done, outcome = std::move(outcome)]() mutable { done(std::move(outcome)); });
  });
}

void AdminRoutes::add(std::string method, std::string path, Mode mode, AdminHandler handler) {
  router_.add(
      std::move(method), std::move(path),
      [this, mode, handler = std::move(handler)](HttpRequest& request, Reply reply) {
        json::object body;
        // A call without fields (issuing a token) may send no body; a body sent must be JSON.
        if (mode == Mode::write && !request.body.empty()) {
          HttpResponse error;
          if (!parse_json_object(request, body, error)) {
            reply(std::move(error));
            return;
          }
        }
        // `request` stays valid until `reply` is called, which happens after the job.
        worker_.submit([this, mode, handler, &request, body = std::move(body),
                        reply = std::move(reply)]() mutable {
          HttpResponse response;
          try {
            mode == Mode::write ? store_.begin() : store_.begin_read();
            try {
              auto token_id = protocol::parse_count(request.principal);
              auto caller = token_id ? domain::load_caller(store_, *token_id) : std::nullopt;
              if (!caller) {
                response = unauthorized("the token is not valid");
              } else if (mode == Mode::write && caller->read_only) {
                response =
                    error_response(403, "account_suspended", "the account is suspended: read-only");
              } else {
                AdminCall call{request, *caller, store_, clock_.now_unix_ms(), std::move(body)};
                response = json_response(200, handler(call));
              }
              store_.commit();
            } catch (...) {
              store_.rollback();
              throw;
            }
          } catch (const ApiError& ex) {
            response = error_response(ex.status(), ex.code(), ex.what());
          } catch (const storage::DuplicateError& ex) {
            response = error_response(409, "name_taken", ex.what());
          } catch (const storage::StoreError& ex) {
            log::error("admin_storage_failed", {{"path", request.path}, {"error", ex.what()}});
            response = error_response(503, "unavailable", "storage is unavailable; retry");
          } catch (const std::exception& ex) {
            log::error("admin_handler_exception", {{"path", request.path}, {"error", ex.what()}});
            response = error_response(500, "internal", "internal error");
          }
          to_network_([reply = std::move(reply), response = std::move(response)]() mutable {
            reply(std::move(response));
          });
        });
      },
      Access::bearer_token);
}

void add_admin_routes(Router& router, storage::DomainStore& store, domain::AdminWorker& worker,
                      NetworkExecutor to_network, const Clock& clock) {
  // Lives as long as the routes that call it: the router owns it through the authenticator.
  auto routes = std::make_shared<AdminRoutes>(router, store, worker, std::move(to_network), clock);
  add_account_routes(*routes);
  add_customer_routes(*routes);
  add_user_routes(*routes);
  add_audit_routes(*routes);
  router.set_authenticator(
      [routes](const HttpRequest& request, std::function<void(AuthOutcome)> done) {
        routes->authenticate(request, std::move(done));
      });
}

}  // namespace lmp::http
