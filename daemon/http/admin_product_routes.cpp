// Products: the configured catalog with each product's lifecycle, and End of Sale / End of Life
// set through the API (parent only), with the End-of-Life deletion when the date is not later.
#include <boost/json/array.hpp>

#include "domain/domain_json.hpp"
#include "domain/end_of_life_sweep.hpp"
#include "domain/product_lifecycle.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

domain::ProductLifecycle lifecycle(const AdminCall& call, const std::string& code) {
  return domain::product_lifecycle(call.db.lifecycles().all(), call.products, code, call.now_ms);
}

const domain::Product& configured_product(const AdminCall& call) {
  const std::string& code = call.request.path_params.at(0);
  const auto* product = call.products.find(code);
  if (product == nullptr) throw not_found("product");
  return *product;
}

json::value list_products(AdminCall& call) {
  // Products are few (the config's): one page holds them all.
  json::array items;
  for (const auto& product : call.products.all())
    items.emplace_back(domain::product_json(product, lifecycle(call, product.code)));
  json::object out;
  out["items"] = std::move(items);
  out["next"] = nullptr;
  return out;
}

json::value get_product(AdminCall& call) {
  const auto& product = configured_product(call);
  return domain::product_json(product, lifecycle(call, product.code));
}

// Sets one of the product's lifecycle dates (`at`, Unix seconds, default now). Once the product
// has reached End of Life nothing about it changes any more.
json::value set_lifecycle(AdminCall& call, bool end_of_life) {
  if (!call.caller.is_parent())
    throw forbidden("only the parent account sets a product's lifecycle");
  const auto& product = configured_product(call);
  const std::string& code = product.code;
  const auto at_seconds = call.optional_count("at", 1, 253402300799);
  const std::int64_t at_ms = at_seconds ? *at_seconds * 1000 : call.now_ms;
  const auto before = lifecycle(call, code);
  if (before.end_of_life())
    throw ApiError(403, "end_of_life", "product " + code + " has reached End of Life");
  if (end_of_life)
    call.db.lifecycles().set_end_of_life(code, at_ms);
  else
    call.db.lifecycles().set_end_of_sale(code, at_ms);
  auto after = lifecycle(call, code);
  call.audit(end_of_life ? "product.end_of_life" : "product.end_of_sale", "product:" + code,
             call.caller.scope, domain::to_text(domain::product_json(product, before)),
             domain::to_text(domain::product_json(product, after)));
  // A date now or past takes the data with it in this same transaction; a later one is the
  // sweep's (domain/end_of_life_sweep.hpp).
  if (after.end_of_life()) {
    domain::AuditRecord actor;
    actor.actor_user_id = call.caller.user_id;
    actor.actor_token_id = call.caller.token_id;
    actor.actor_scope = call.caller.scope;
    domain::delete_product_data_once(call.db, code, call.now_ms, actor);
    after = lifecycle(call, code);
  }
  return domain::product_json(product, after);
}

}  // namespace

void add_product_routes(AdminRoutes& routes) {
  routes.add("GET", "/v1/products", Mode::read, list_products);
  routes.add("GET", "/v1/products/{}", Mode::read, get_product);
  routes.add("POST", "/v1/products/{}/end-of-sale", Mode::write,
             [](AdminCall& call) { return set_lifecycle(call, false); });
  routes.add("POST", "/v1/products/{}/end-of-life", Mode::write,
             [](AdminCall& call) { return set_lifecycle(call, true); });
}

}  // namespace lmp::http
