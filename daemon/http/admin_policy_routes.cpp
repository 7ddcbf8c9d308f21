// Site policies over HTTP (docs/admin-api.md, "Site policy"): the routes hand the JSON to the
// domain's operations (domain/site_policies.hpp), which validate it.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "domain/domain_error.hpp"
#include "domain/site_policies.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

json::value get_policy(AdminCall& call) {
  auto policies = domain::customer_policies(call.context(), call.path_id(0, "customer"));
  if (auto product = call.query("product")) {
    for (const auto& p : policies)
      if (p.policy.product == *product) return domain::customer_policy_json(p);
    throw domain::not_found("policy");
  }
  json::array items;
  for (const auto& p : policies) items.push_back(domain::customer_policy_json(p));
  return json::object{{"items", std::move(items)}, {"next", nullptr}};
}

json::value set_policy(AdminCall& call) {
  return domain::customer_policy_json(domain::set_customer_policy(
      call.context(), call.path_id(0, "customer"), json::value(call.body)));
}

json::value delete_policy(AdminCall& call) {
  domain::delete_customer_policy(call.context(), call.path_id(0, "customer"),
                                 call.query("product").value_or(""));
  return json::object{{"deleted", true}};
}

json::value check_policy(AdminCall& call) {
  domain::PolicyCheckRequest request;
  request.product = call.query("product");
  request.user = call.query("user");
  request.host = call.query("host");
  request.address = call.query("address");
  request.units = call.query_id("units");
  json::array items;
  for (const auto& check :
       domain::check_customer_policy(call.context(), call.path_id(0, "customer"), request))
    items.push_back(domain::policy_check_json(check));
  return json::object{{"items", std::move(items)}, {"next", nullptr}};
}

}  // namespace

void add_policy_routes(AdminRoutes& routes) {
  routes.add("GET", "/v1/customers/{}/policy", Mode::read, get_policy);
  routes.add("PUT", "/v1/customers/{}/policy", Mode::write, set_policy);
  routes.add("DELETE", "/v1/customers/{}/policy", Mode::write, delete_policy);
  routes.add("GET", "/v1/customers/{}/policy/check", Mode::read, check_policy);
}

}  // namespace lmp::http
