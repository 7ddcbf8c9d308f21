// The lease operations and who may see which lease.
#include "domain/leases.hpp"

#include "domain/domain_error.hpp"
#include "domain/permissions.hpp"

namespace lmp::domain {

std::vector<Lease> list_leases(const Context& ctx, const LeaseQuery& query) {
  LeaseFilter filter;
  // Whoever may view a license may view its leases.
  if (ctx.caller.customer) {
    if (query.customer_id && *query.customer_id != ctx.caller.customer->id) return {};
    filter.scope_prefix = ctx.caller.customer->scope();
    filter.customer_id = ctx.caller.customer->id;
  } else {
    ctx.require(kViewLicenses);
    filter.scope_prefix = ctx.caller.scope;
    filter.customer_id = query.customer_id;
  }
  if (query.borrowed) {
    if (*query.borrowed != "true" && *query.borrowed != "false")
      throw bad_request("borrowed must be true or false");
    filter.borrowed = *query.borrowed == "true";
  }
  if (query.account_id) {
    // An account outside the caller's subtree narrows to nothing, as an unseen customer does.
    auto account = ctx.db.accounts().find(*query.account_id);
    if (!account || !ctx.caller.sees(account->path)) return {};
    filter.scope_prefix = account->path;
  }
  filter.license_id = query.license_id;
  filter.product = query.product;
  filter.user = query.user;
  filter.host = query.host;
  return ctx.db.leases().list(filter, query.page, ctx.now_ms);
}

}  // namespace lmp::domain
