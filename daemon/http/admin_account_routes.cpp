// GET /v1/me and the partner accounts: create, list, read, permissions, status.
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "domain/domain_json.hpp"
#include "domain/permissions.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

json::object describe_account(domain::UnitOfWork& db, const domain::Account& account) {
  return domain::account_json(
      account, account.parent_id ? db.accounts().permissions(account.id) : std::set<std::string>{});
}

// A partner account strictly below the caller; 404 otherwise (including the caller's own).
domain::Account visible_partner(const AdminCall& call, std::size_t n) {
  const std::int64_t id = call.path_id(n, "partner");
  auto account = call.db.accounts().find(id);
  if (!account || !call.caller.account || !call.caller.sees(account->path) ||
      account->id == call.caller.account->id)
    throw not_found("partner");
  return *account;
}

json::value me(AdminCall& call) {
  const auto& caller = call.caller;
  json::object out;
  out["user"] = domain::user_json(*call.db.users().find(caller.user_id));
  out["token"] = caller.token_id;
  if (caller.account)
    out["account"] = describe_account(call.db, *caller.account);
  else
    out["customer"] = domain::customer_json(*caller.customer);
  json::array permissions;
  for (const auto& name : caller.permissions) permissions.emplace_back(name);
  out["permissions"] = std::move(permissions);
  out["read_only"] = caller.read_only;
  return out;
}

json::value create_partner(AdminCall& call) {
  call.require(domain::kManagePartners);
  const std::string name = call.text("name");
  const auto kind = domain::parse<domain::AccountKind>(call.text("kind"));
  if (!kind || *kind == domain::AccountKind::parent)
    throw bad_request("kind must be \"msp\" or \"reseller\"");
  auto account = call.db.accounts().create(*kind, name, &*call.caller.account, call.now_ms);
  call.db.accounts().set_permissions(account.id, domain::default_permissions(*kind));
  auto after = describe_account(call.db, account);
  call.audit("partner.create", "account:" + std::to_string(account.id), account.path, {},
             domain::to_text(after));
  return after;
}

json::value list_partners(AdminCall& call) {
  call.require(domain::kManagePartners);
  auto rows = call.db.accounts().list_below(call.caller.scope, call.lookahead());
  return page_of(rows, call.page(),
                 [&](const domain::Account& a) { return describe_account(call.db, a); });
}

json::value get_partner(AdminCall& call) {
  call.require(domain::kManagePartners);
  return describe_account(call.db, visible_partner(call, 0));
}

json::value set_permissions(AdminCall& call) {
  // Only the parent: a partner must not widen its own rights or those below it.
  if (!call.caller.is_parent()) throw forbidden("only the parent account sets permissions");
  auto account = visible_partner(call, 0);
  const json::value* list = call.body.if_contains("permissions");
  if (list == nullptr || !list->is_array())
    throw bad_request("permissions must be a JSON array of permission names");
  std::set<std::string> names;
  for (const auto& item : list->get_array()) {
    if (!item.is_string() || !domain::is_permission(item.get_string()))
      throw bad_request("unknown permission: " + json::serialize(item));
    names.emplace(item.get_string());
  }
  auto before = describe_account(call.db, account);
  call.db.accounts().set_permissions(account.id, names);
  auto after = describe_account(call.db, account);
  call.audit("partner.permissions", "account:" + std::to_string(account.id), account.path,
             domain::to_text(before), domain::to_text(after));
  return after;
}

json::value set_partner_status(AdminCall& call) {
  call.require(domain::kManagePartners);
  auto account = visible_partner(call, 0);
  const auto status = domain::parse<domain::AccountStatus>(call.text("status"));
  if (!status) throw bad_request("status must be \"active\", \"suspended\" or \"canceled\"");
  const bool cancel = *status == domain::AccountStatus::canceled;
  if (account.status == domain::AccountStatus::canceled && !cancel)
    throw conflict("partner_canceled", "a canceled partner cannot be reactivated");
  if (account.status == *status) return describe_account(call.db, account);
  auto before = describe_account(call.db, account);
  call.db.accounts().set_status(account.id, *status, call.now_ms);
  std::int64_t cut_off = 0;
  // Final: every license of every customer below ends now (docs/admin-api.md).
  if (cancel) cut_off = call.db.licenses().cut_off_under(account.path, call.now_ms);
  auto after = describe_account(call.db, *call.db.accounts().find(account.id));
  auto recorded = after;
  if (cancel) recorded["licenses_ended"] = cut_off;
  call.audit("partner." + std::string(*status == domain::AccountStatus::active      ? "activate"
                                      : *status == domain::AccountStatus::suspended ? "suspend"
                                                                                    : "cancel"),
             "account:" + std::to_string(account.id), account.path, domain::to_text(before),
             domain::to_text(recorded));
  return after;
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
