// GET /v1/me and the partner accounts over HTTP (docs/admin-api.md, accounts): each route reads its
// JSON into the request of a domain operation (domain/partners.hpp, domain/users.hpp) and writes
// the answer.
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "domain/domain_json.hpp"
#include "domain/partners.hpp"
#include "domain/users.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

json::object view_json(const domain::AccountView& view) {
  return domain::account_json(view.account, view.permissions);
}

json::value me(AdminCall& call) {
  const auto me = domain::describe_me(call.context());
  json::object out;
  out["user"] = domain::user_json(me.user);
  // None for a user logged in to the console with its password.
  out["token"] = me.token_id ? json::value(me.token_id) : json::value(nullptr);
  out["token_expires"] =
      me.token_expires_at_ms ? json::value(*me.token_expires_at_ms / 1000) : json::value(nullptr);
  if (me.account)
    out["account"] = view_json(*me.account);
  else
    out["customer"] = domain::customer_json(*me.customer);
  json::array permissions;
  for (const auto& name : me.permissions) permissions.emplace_back(name);
  out["permissions"] = std::move(permissions);
  out["read_only"] = me.read_only;
  return out;
}

json::value create_partner(AdminCall& call) {
  domain::CreatePartner request;
  request.name = call.optional_text("name");
  request.kind = call.optional_text("kind");
  return view_json(domain::create_partner(call.context(), request));
}

json::value list_partners(AdminCall& call) {
  return page_of(domain::list_partners(call.context(), call.lookahead()), call.page(), view_json);
}

json::value get_partner(AdminCall& call) {
  return view_json(domain::get_partner(call.context(), call.path_id(0, "partner")));
}

// `permissions`: a JSON array of names; anything else is refused here, unknown names by the
// domain.
std::optional<std::vector<std::string>> permission_names(const AdminCall& call) {
  const json::value* list = call.body.if_contains("permissions");
  if (list == nullptr || !list->is_array()) return std::nullopt;
  std::vector<std::string> names;
  for (const auto& item : list->get_array()) {
    if (!item.is_string()) throw bad_request("unknown permission: " + json::serialize(item));
    names.emplace_back(item.get_string());
  }
  return names;
}

json::value set_permissions(AdminCall& call) {
  domain::SetPartnerPermissions request;
  request.id = call.path_id(0, "partner");
  request.permissions = permission_names(call);
  return view_json(domain::set_partner_permissions(call.context(), request));
}

json::value set_partner_status(AdminCall& call) {
  domain::SetPartnerStatus request;
  request.id = call.path_id(0, "partner");
  request.status = call.optional_text("status");
  return view_json(domain::set_partner_status(call.context(), request));
}

}  // namespace

void add_account_routes(AdminRoutes& routes) {
  routes.add("GET", "/v1/me", Mode::read, me);
  routes.add("POST", "/v1/partners", Mode::write, create_partner);
  routes.add("GET", "/v1/partners", Mode::read, list_partners);
  routes.add("GET", "/v1/partners/{}", Mode::read, get_partner);
  routes.add("PUT", "/v1/partners/{}/permissions", Mode::write, set_permissions);
  routes.add("POST", "/v1/partners/{}/status", Mode::write, set_partner_status);
}

}  // namespace lmp::http
