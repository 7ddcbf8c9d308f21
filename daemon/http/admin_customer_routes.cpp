// Customer accounts: create (under the parent or a partner), list, read, enable and disable
// with their license effects.
#include "domain/domain_json.hpp"
#include "domain/permissions.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

// A customer the caller may see: a customer's user sees its own and nothing else (404); an
// account's user sees those of its subtree with `permission` (403 without it, 404 outside).
domain::Customer visible_customer(const AdminCall& call, std::size_t n,
                                  std::string_view permission) {
  const std::int64_t id = call.path_id(n, "customer");
  if (call.caller.customer) {
    if (call.caller.customer->id == id) return *call.caller.customer;
    throw not_found("customer");
  }
  call.require(permission);
  auto customer = call.db.customers().find(id);
  if (!customer || !call.caller.sees(customer->scope())) throw not_found("customer");
  return *customer;
}

json::value create_customer(AdminCall& call) {
  call.require(domain::kCreateCustomers);
  const std::string name = call.text("name");
  domain::Account owner = *call.caller.account;
  if (auto account_id = call.optional_id("account")) {
    auto account = call.db.accounts().find(*account_id);
    if (!account || !call.caller.sees(account->path)) throw not_found("account");
    owner = *account;
  }
  for (const auto& above : call.db.accounts().on_path(owner.path))
    if (above.status != domain::AccountStatus::active)
      throw conflict("account_not_active", "account " + std::to_string(above.id) + " is " +
                                               std::string(domain::to_string(above.status)) +
                                               ": no new customers under it");
  auto customer = call.db.customers().create(name, &owner, call.now_ms);
  auto after = domain::customer_json(customer);
  call.audit("customer.create", "customer:" + std::to_string(customer.id), customer.scope(), {},
             domain::to_text(after));
  return after;
}

json::value list_customers(AdminCall& call) {
  if (call.caller.customer) {
    // A customer's user sees one customer: its own.
    std::vector<domain::Customer> own;
    if (call.caller.customer->id > call.page().after) own.push_back(*call.caller.customer);
    return page_of(own, call.page(), domain::customer_json);
  }
  call.require(domain::kViewCustomers);
  auto rows = call.db.customers().list_under(call.caller.scope, call.lookahead());
  return page_of(rows, call.page(), domain::customer_json);
}

json::value get_customer(AdminCall& call) {
  auto customer = visible_customer(call, 0, domain::kViewCustomers);
  auto out = domain::customer_json(customer);
  out["licenses"] = call.db.licenses().count_of_customer(customer.id);
  return out;
}

json::value set_customer_status(AdminCall& call) {
  auto customer = visible_customer(call, 0, domain::kModifyCustomers);
  if (call.caller.customer) throw forbidden("a customer cannot enable or disable itself");
  const auto status = domain::parse<domain::CustomerStatus>(call.text("status"));
  if (!status) throw bad_request("status must be \"enabled\" or \"disabled\"");
  if (customer.status == *status) return domain::customer_json(customer);
  const bool disable = *status == domain::CustomerStatus::disabled;
  std::int64_t changed = 0;
  if (disable) {
    changed = call.db.licenses().cut_off_customer(customer.id, call.now_ms);
  } else {
    // The cancellation of a partner above is final; enabling must not revive its licenses.
    for (const auto& above : call.db.accounts().on_path(customer.owner_path))
      if (above.status == domain::AccountStatus::canceled)
        throw conflict("partner_canceled", "the customer's partner account is canceled");
    changed = call.db.licenses().restore_customer(customer.id);
  }
  auto before = domain::customer_json(customer);
  call.db.customers().set_status(customer.id, *status, call.now_ms);
  auto after = domain::customer_json(*call.db.customers().find(customer.id));
  auto recorded = after;
  recorded[disable ? "licenses_ended" : "licenses_restored"] = changed;
  call.audit(disable ? "customer.disable" : "customer.enable",
             "customer:" + std::to_string(customer.id), customer.scope(), domain::to_text(before),
             domain::to_text(recorded));
  return after;
}

}  // namespace

void add_customer_routes(AdminRoutes& routes) {
  routes.add("POST", "/v1/customers", Mode::write, create_customer);
  routes.add("GET", "/v1/customers", Mode::read, list_customers);
  routes.add("GET", "/v1/customers/{}", Mode::read, get_customer);
  routes.add("POST", "/v1/customers/{}/status", Mode::write, set_customer_status);
}

}  // namespace lmp::http
