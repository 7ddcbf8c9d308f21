// Reading the audit log within the caller's subtree.
#include "domain/audit.hpp"

#include "domain/subtree_scope.hpp"

namespace lmp::domain {

std::vector<AuditRecord> query_audit(const Context& ctx, const AuditQuery& query) {
  AuditFilter filter;
  filter.scope_prefix = subtree_scope(ctx, query.account_id, query.customer_id);
  filter.action = query.action;
  filter.object = query.object;
  filter.actor_user_id = query.actor_user_id;
  filter.from_ms = query.from_ms;
  filter.to_ms = query.to_ms;
  return ctx.db.audit().query(filter, query.page);
}

}  // namespace lmp::domain
