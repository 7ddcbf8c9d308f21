// Reading the audit log within the caller's subtree.
#include "domain/audit.hpp"

#include "domain/domain_error.hpp"

namespace lmp::domain {

std::vector<AuditRecord> query_audit(const Context& ctx, const AuditQuery& query) {
  AuditFilter filter;
  // The parent sees every record, also those of customers made before the first run ("/c<id>/").
  filter.scope_prefix = ctx.caller.is_parent() ? "/" : ctx.caller.scope;
  if (query.account_id && query.customer_id)
    throw bad_request("give account or customer, not both");
  if (query.account_id) {
    auto account = ctx.db.accounts().find(*query.account_id);
    if (!account || !ctx.caller.sees(account->path)) throw not_found("account");
    filter.scope_prefix = account->path;
  }
  if (query.customer_id) {
    auto customer = ctx.db.customers().find(*query.customer_id);
    if (!customer || !ctx.caller.sees(customer->scope())) throw not_found("customer");
    filter.scope_prefix = customer->scope();
  }
  filter.action = query.action;
  filter.object = query.object;
  filter.from_ms = query.from_ms;
  filter.to_ms = query.to_ms;
  return ctx.db.audit().query(filter, query.page);
}

}  // namespace lmp::domain
