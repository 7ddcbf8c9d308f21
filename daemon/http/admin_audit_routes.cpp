// GET /v1/audit: the audit records of the caller's subtree, filtered and paginated.
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
  domain::AuditFilter filter;
  // The parent sees every record, also those of customers made before the first run ("/c<id>/").
  filter.scope_prefix = call.caller.is_parent() ? "/" : call.caller.scope;
  const auto account_id = call.query_id("account");
  const auto customer_id = call.query_id("customer");
  if (account_id && customer_id) throw bad_request("give account or customer, not both");
  if (account_id) {
    auto account = call.db.accounts().find(*account_id);
    if (!account || !call.caller.sees(account->path)) throw not_found("account");
    filter.scope_prefix = account->path;
  }
  if (customer_id) {
    auto customer = call.db.customers().find(*customer_id);
    if (!customer || !call.caller.sees(customer->scope())) throw not_found("customer");
    filter.scope_prefix = customer->scope();
  }
  filter.action = call.query("action").value_or("");
  filter.object = call.query("object").value_or("");
  filter.from_ms = ms_of(call.query_id("from"));
  filter.to_ms = ms_of(call.query_id("to"));
  auto rows = call.db.audit().query(filter, call.lookahead());
  return page_of(rows, call.page(), domain::audit_json);
}

}  // namespace

void add_audit_routes(AdminRoutes& routes) {
  routes.add("GET", "/v1/audit", Mode::read, query_audit);
}

}  // namespace lmp::http
