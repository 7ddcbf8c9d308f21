// Products over HTTP (docs/admin-api.md, products): each route reads its JSON into the request of
// a domain operation (domain/products.hpp) and writes the answer.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "domain/domain_json.hpp"
#include "domain/products.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

json::object view_json(const domain::ProductView& view) {
  return domain::product_json(view.product, view.lifecycle);
}

json::value list_products(AdminCall& call) {
  // Products are few (the config's): one page holds them all.
  json::array items;
  for (const auto& view : domain::list_products(call.context()))
    items.emplace_back(view_json(view));
  return json::object{{"items", std::move(items)}, {"next", nullptr}};
}

json::value get_product(AdminCall& call) {
  return view_json(domain::get_product(call.context(), call.request.path_params.at(0)));
}

// POST .../end-of-life?dry_run=true: what End of Life now would delete, counted by that very
// deletion in a transaction rolled back.
json::value dry_run_end_of_life(AdminCall& call) {
  call.roll_back = true;
  if (call.body.contains("at"))
    throw ApiError(400, "bad_request", "a dry run counts what End of Life now deletes: no at");
  const auto run = domain::dry_run_end_of_life(call.context(), call.request.path_params.at(0));
  const auto& d = run.would_delete;
  auto out = view_json(run.product);
  out["dry_run"] = true;
  out["would_delete"] = json::object{{"licenses", d.licenses},
                                     {"activations", d.activations},
                                     {"leases", d.leases},
                                     {"keys_voided", d.keys_voided}};
  return out;
}

json::value set_lifecycle(AdminCall& call, domain::LifecycleDate date) {
  domain::SetProductLifecycle request;
  request.code = call.request.path_params.at(0);
  request.date = date;
  request.at_ms = call.optional_time_ms("at");
  return view_json(domain::set_product_lifecycle(call.context(), request));
}

}  // namespace

void add_product_routes(AdminRoutes& routes) {
  routes.add("GET", "/v1/products", Mode::read, list_products);
  routes.add("GET", "/v1/products/{}", Mode::read, get_product);
  routes.add("POST", "/v1/products/{}/end-of-sale", Mode::write, [](AdminCall& call) {
    return set_lifecycle(call, domain::LifecycleDate::end_of_sale);
  });
  routes.add("POST", "/v1/products/{}/end-of-life", Mode::write, [](AdminCall& call) {
    const auto dry_run = call.query("dry_run");
    if (dry_run && *dry_run != "true" && *dry_run != "false")
      throw ApiError(400, "bad_request", "dry_run must be true or false");
    if (dry_run == "true") return dry_run_end_of_life(call);
    return set_lifecycle(call, domain::LifecycleDate::end_of_life);
  });
}

}  // namespace lmp::http
