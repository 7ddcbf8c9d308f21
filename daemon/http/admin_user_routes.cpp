// Users and their bearer tokens over HTTP (docs/admin-api.md, users and tokens): each route reads
// its JSON into the request of a domain operation (domain/users.hpp) and writes the answer.
// Tokens are shown once.
#include <boost/json/object.hpp>

#include "domain/domain_json.hpp"
#include "domain/limits.hpp"
#include "domain/users.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

json::object token_json(const domain::IssuedToken& issued) {
  return domain::issued_token_json(issued.token, issued.text);
}

json::value create_user(AdminCall& call) {
  domain::CreateUser request;
  request.name = call.optional_text("name");
  request.account_id = call.optional_id("account");
  request.customer_id = call.optional_id("customer");
  const auto created = domain::create_user(call.context(), request);
  return json::object{{"user", domain::user_json(created.user)},
                      {"token", token_json(created.token)}};
}

json::value list_users(AdminCall& call) {
  domain::ListUsers which;
  which.account_id = call.query_id("account");
  which.customer_id = call.query_id("customer");
  return page_of(domain::list_users(call.context(), which, call.lookahead()), call.page(),
                 domain::user_json);
}

json::value create_token(AdminCall& call) {
  domain::TokenExpiry expiry;
  expiry.expires_ms = call.optional_time_ms("expires");
  expiry.days = call.optional_count("days", 1, domain::kMaxDays);
  return token_json(domain::create_token(call.context(), call.path_id(0, "user"), expiry));
}

json::value list_tokens(AdminCall& call) {
  return page_of(domain::list_tokens(call.context(), call.path_id(0, "user"), call.lookahead()),
                 call.page(), [](const domain::Token& token) { return domain::token_json(token); });
}

json::value rename_user(AdminCall& call) {
  domain::RenameUser request;
  request.id = call.path_id(0, "user");
  request.name = call.optional_text("name");
  return domain::user_json(domain::rename_user(call.context(), request));
}

json::value set_password(AdminCall& call) {
  domain::SetPassword request;
  request.user_id = call.path_id(0, "user");
  request.password = admin_request::optional_secret(call.body, "password");
  request.login = call.optional_text("login");
  return domain::user_json(domain::set_password(call.context(), request));
}

json::value delete_user(AdminCall& call) {
  domain::delete_user(call.context(), call.path_id(0, "user"));
  return json::object();
}

json::value revoke_token(AdminCall& call) {
  domain::revoke_token(call.context(), call.path_id(0, "token"));
  return json::object();
}

}  // namespace

void add_user_routes(AdminRoutes& routes) {
  routes.add("POST", "/v1/users", Mode::write, create_user);
  routes.add("GET", "/v1/users", Mode::read, list_users);
  routes.add("PATCH", "/v1/users/{}", Mode::write, rename_user);
  routes.add("DELETE", "/v1/users/{}", Mode::write, delete_user);
  routes.add("PUT", "/v1/users/{}/password", Mode::write, set_password);
  routes.add("POST", "/v1/users/{}/tokens", Mode::write, create_token);
  routes.add("GET", "/v1/users/{}/tokens", Mode::read, list_tokens);
  routes.add("DELETE", "/v1/tokens/{}", Mode::write, revoke_token);
}

}  // namespace lmp::http
