// Registration keys over HTTP (docs/admin-api.md, registration keys): each route reads its JSON
// into the request of a domain operation (domain/keys.hpp) and writes the answer. Redemption is
// open (no token needed) and its wrong guesses count against the address's invalid-code budget.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/activation_code.hpp"
#include "domain/domain_json.hpp"
#include "domain/keys.hpp"
#include "domain/limits.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

json::value issue_keys(AdminCall& call) {
  domain::IssueKeys request;
  request.plan_id = call.optional_id("plan");
  request.units = call.optional_count("units", 1, domain::kMaxUnits);
  request.count = call.optional_count("count", 1, domain::kMaxKeyBatch);
  json::array keys;
  for (const auto& issued : domain::issue_keys(call.context(), request)) {
    auto shown = domain::key_json(issued.key);
    shown["key"] = issued.text;
    keys.push_back(std::move(shown));
  }
  return json::object{{"keys", std::move(keys)}};
}

json::value get_key(AdminCall& call) {
  return domain::key_json(domain::get_key(call.context(), call.path_id(0, "key")));
}

json::value void_key(AdminCall& call) {
  return domain::key_json(domain::void_key(call.context(), call.path_id(0, "key")));
}

json::value redeem_key(AdminCall& call) {
  domain::RedeemKey request;
  request.key = call.optional_text("key");
  request.customer = call.optional_text("customer");
  request.user = call.optional_text("user");
  const auto done = domain::redeem_key(call.context(), request);
  json::object out;
  if (done.user) out["user"] = domain::user_json(*done.user);
  if (done.token) out["token"] = domain::issued_token_json(done.token->token, done.token->text);
  out["customer"] = domain::customer_json(done.customer);
  auto license = domain::new_license_json(done.license_id, done.license);
  license["code"] = activation_code::format(done.code);
  out["license"] = std::move(license);
  out["key"] = domain::key_json(done.key);
  return out;
}

}  // namespace

json::value list_registration_keys(AdminCall& call) {
  return page_of(domain::list_keys(call.context(), call.lookahead()), call.page(),
                 domain::key_json);
}

void add_key_routes(AdminRoutes& routes) {
  routes.add("POST", "/v1/registration-keys", Mode::write, issue_keys);
  routes.add("GET", "/v1/registration-keys", Mode::read, list_registration_keys);
  routes.add("GET", "/v1/registration-keys/{}", Mode::read, get_key);
  routes.add("POST", "/v1/registration-keys/{}/void", Mode::write, void_key);
  routes.add_guessable("POST", "/v1/registration-keys/redeem", redeem_key);
  // Their paths before 1.1, kept for one more release (docs/admin-api.md, "Registration keys").
  // GET /v1/keys, which is the signing keys' JWK Set now, is in admin_signing_key_routes.cpp.
  routes.add("POST", "/v1/keys", Mode::write, issue_keys);
  routes.add("GET", "/v1/keys/{}", Mode::read, get_key);
  routes.add("POST", "/v1/keys/{}/void", Mode::write, void_key);
  routes.add_guessable("POST", "/v1/keys/redeem", redeem_key);
}

}  // namespace lmp::http
