// Resolving the subtree a read covers, shared by the audit log and the events.
#include "domain/subtree_scope.hpp"

#include "domain/domain_error.hpp"

namespace lmp::domain {

std::string subtree_scope(const Context& ctx, std::optional<std::int64_t> account_id,
                          std::optional<std::int64_t> customer_id) {
  if (account_id && customer_id) throw bad_request("give account or customer, not both");
  if (account_id) {
    auto account = ctx.db.accounts().find(*account_id);
    if (!account || !ctx.caller.sees(account->path)) throw not_found("account");
    return account->path;
  }
  if (customer_id) {
    auto customer = ctx.db.customers().find(*customer_id);
    if (!customer || !ctx.caller.sees(customer->scope())) throw not_found("customer");
    return customer->scope();
  }
  return ctx.caller.is_parent() ? "/" : ctx.caller.scope;
}

}  // namespace lmp::domain
