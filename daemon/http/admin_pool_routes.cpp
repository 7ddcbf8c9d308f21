// Partner pools over HTTP (docs/admin-api.md, partner pools): each route reads its JSON into the
// request of a domain operation (domain/pools.hpp) and writes the answer.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "domain/domain_json.hpp"
#include "domain/limits.hpp"
#include "domain/pools.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

json::value assign_pool(AdminCall& call) {
  domain::AssignPool request;
  request.partner_id = call.path_id(0, "partner");
  request.product = call.request.path_params.at(1);
  request.units = call.optional_count("units", 0, domain::kMaxPoolUnits);
  return domain::pool_json(domain::assign_pool(call.context(), request));
}

json::value list_pools(AdminCall& call) {
  json::array items;
  for (const auto& pool : domain::list_pools(call.context(), call.path_id(0, "partner")))
    items.push_back(domain::pool_json(pool));
  return json::object{{"items", std::move(items)}, {"next", nullptr}};
}

}  // namespace

void add_pool_routes(AdminRoutes& routes) {
  routes.add("PUT", "/v1/partners/{}/pools/{}", Mode::write, assign_pool);
  routes.add("GET", "/v1/partners/{}/pools", Mode::read, list_pools);
}

}  // namespace lmp::http
