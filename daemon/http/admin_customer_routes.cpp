// Customer accounts over HTTP (docs/admin-api.md, customers): each route reads its JSON into the
// request of a domain operation (domain/customers.hpp) and writes the answer.
#include <boost/json/object.hpp>

#include "domain/customers.hpp"
#include "domain/domain_json.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

json::value create_customer(AdminCall& call) {
  domain::CreateCustomer request;
  request.name = call.optional_text("name");
  request.account_id = call.optional_id("account");
  return domain::customer_json(domain::create_customer(call.context(), request));
}

json::value list_customers(AdminCall& call) {
  return page_of(domain::list_customers(call.context(), call.lookahead()), call.page(),
                 domain::customer_json);
}

json::value get_customer(AdminCall& call) {
  const auto detail = domain::get_customer(call.context(), call.path_id(0, "customer"));
  auto out = domain::customer_json(detail.customer);
  out["licenses"] = detail.licenses;
  return out;
}

json::value set_customer_status(AdminCall& call) {
  domain::SetCustomerStatus request;
  request.id = call.path_id(0, "customer");
  request.status = call.optional_text("status");
  return domain::customer_json(domain::set_customer_status(call.context(), request));
}

json::value rename_customer(AdminCall& call) {
  domain::RenameCustomer request;
  request.id = call.path_id(0, "customer");
  request.name = call.optional_text("name");
  return domain::customer_json(domain::rename_customer(call.context(), request));
}

json::value delete_customer(AdminCall& call) {
  domain::delete_customer(call.context(), call.path_id(0, "customer"));
  return json::object();
}

}  // namespace

void add_customer_routes(AdminRoutes& routes) {
  routes.add("POST", "/v1/customers", Mode::write, create_customer);
  routes.add("GET", "/v1/customers", Mode::read, list_customers);
  routes.add("GET", "/v1/customers/{}", Mode::read, get_customer);
  routes.add("PATCH", "/v1/customers/{}", Mode::write, rename_customer);
  routes.add("DELETE", "/v1/customers/{}", Mode::write, delete_customer);
  routes.add("POST", "/v1/customers/{}/status", Mode::write, set_customer_status);
}

}  // namespace lmp::http
