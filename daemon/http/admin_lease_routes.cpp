// Leases over HTTP (docs/admin-api.md, leases): each route reads its query into the request of a
// domain operation (domain/leases.hpp) and writes the answer.
#include <boost/json/object.hpp>

#include "domain/domain_json.hpp"
#include "domain/leases.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

json::value list_leases(AdminCall& call) {
  domain::LeaseQuery query;
  query.license_id = call.query_id("license");
  query.customer_id = call.query_id("customer");
  query.account_id = call.query_id("partner");
  query.product = call.query("product").value_or("");
  query.user = call.query("user").value_or("");
  query.host = call.query("host").value_or("");
  query.borrowed = call.query("borrowed");
  query.page = call.lease_lookahead();
  return page_of(domain::list_leases(call.context(), query), call.lease_page(),
                 [](const domain::Lease& lease) { return domain::lease_json(lease); });
}

json::value release_lease(AdminCall& call) {
  domain::ReleaseLease request;
  request.ref = call.path_lease_ref(0);
  // In the body, or as a query parameter (a DELETE body is unusual to some clients).
  request.reason = call.optional_text("reason");
  if (!request.reason) request.reason = call.query("reason");
  auto out = domain::lease_json(domain::release_lease(call.context(), request));
  out["released"] = call.now_ms / 1000;
  out["reason"] = *request.reason;
  return out;
}

}  // namespace

void add_lease_routes(AdminRoutes& routes) {
  routes.add("GET", "/v1/leases", Mode::read, list_leases);
  routes.add("DELETE", "/v1/leases/{}", Mode::engine, release_lease);
}

}  // namespace lmp::http
