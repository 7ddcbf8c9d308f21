// Partner pools: the parent (or an account with assign_license_pools) assigns a partner below it
// units of a product; the partner's keys draw from them (domain/pools.hpp).
#include "domain/domain_json.hpp"
#include "domain/permissions.hpp"
#include "domain/product_sales.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

constexpr std::int64_t kMaxPool = 1000000000;

// A partner strictly below the caller (its own account is not below it: 404).
domain::Account partner_below(const AdminCall& call) {
  const std::int64_t id = call.path_id(0, "partner");
  auto account = call.db.accounts().find(id);
  if (!account || !call.caller.account || account->id == call.caller.account->id ||
      !call.caller.sees(account->path))
    throw not_found("partner");
  return *account;
}

json::value assign_pool(AdminCall& call) {
  call.require(domain::kAssignLicensePools);
  auto partner = partner_below(call);
  domain::SaleState state{};
  const auto& product =
      domain::configured_product(call.context(), call.request.path_params.at(1), state);
  const auto units = call.optional_count("units", 0, kMaxPool);
  if (!units) throw bad_request("units is required");
  auto before = call.db.pools().find(partner.id, product.code);
  if (before && *units < before->drawn)
    throw conflict("pool_below_drawn",
                   "the partner's keys already hold " + std::to_string(before->drawn) + " units");
  call.db.pools().set(partner.id, product.code, *units);
  auto after = domain::pool_json(*call.db.pools().find(partner.id, product.code));
  call.audit("pool.assign", "pool:" + std::to_string(partner.id) + ":" + product.code, partner.path,
             before ? domain::to_text(domain::pool_json(*before)) : std::string(),
             domain::to_text(after));
  return after;
}

// The pools of a partner below the caller (with assign_license_pools), or of the caller's own
// account: a partner may always read what it has been given.
json::value list_pools(AdminCall& call) {
  if (call.caller.customer) call.require(domain::kAssignLicensePools);
  const std::int64_t id = call.path_id(0, "partner");
  domain::Account account = *call.caller.account;
  if (id != account.id) {
    call.require(domain::kAssignLicensePools);
    account = partner_below(call);
  }
  json::array items;
  for (const auto& pool : call.db.pools().list(account.id))
    items.push_back(domain::pool_json(pool));
  return json::object{{"items", std::move(items)}, {"next", nullptr}};
}

}  // namespace

void add_pool_routes(AdminRoutes& routes) {
  routes.add("PUT", "/v1/partners/{}/pools/{}", Mode::write, assign_pool);
  routes.add("GET", "/v1/partners/{}/pools", Mode::read, list_pools);
}

}  // namespace lmp::http
