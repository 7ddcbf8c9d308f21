// GET /v1/audit (docs/admin-api.md, audit log): reads the query into the request of the domain's
// audit query (domain/audit.hpp) and writes the page.
#include <boost/json/object.hpp>

#include "domain/audit.hpp"
#include "domain/domain_json.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

std::optional<std::int64_t> ms_of(std::optional<std::int64_t> seconds) {
  if (!seconds) return std::nullopt;
  return *seconds * 1000;
}

json::value query_audit(AdminCall& call) {
  domain::AuditQuery query;
  query.account_id = call.query_id("account");
  query.customer_id = call.query_id("customer");
  query.action = call.query("action").value_or("");
  query.object = call.query("object").value_or("");
  query.actor_user_id = call.query_id("actor");
  query.from_ms = ms_of(call.query_id("from"));
  query.to_ms = ms_of(call.query_id("to"));
  query.page = call.lookahead();
  return page_of(domain::query_audit(call.context(), query), call.page(), domain::audit_json);
}

}  // namespace

void add_audit_routes(AdminRoutes& routes) {
  routes.add("GET", "/v1/audit", Mode::read, query_audit);
}

}  // namespace lmp::http
