// The lease operations and who may see which lease.
#include "domain/leases.hpp"

#include <boost/json/object.hpp>

#include "domain/domain_error.hpp"
#include "domain/domain_json.hpp"
#include "domain/license_view.hpp"
#include "domain/permissions.hpp"
#include "domain/request_checks.hpp"
#include "domain/store_error.hpp"

namespace lmp::domain {

std::vector<Lease> list_leases(const Context& ctx, const LeaseQuery& query) {
  // Whoever may view a license may view its leases.
  const auto view = license_view(ctx, query.customer_id, query.account_id);
  LeaseFilter filter;
  if (query.borrowed) {
    if (*query.borrowed != "true" && *query.borrowed != "false")
      throw bad_request("borrowed must be true or false");
    filter.borrowed = *query.borrowed == "true";
  }
  if (!view) return {};
  filter.scope_prefix = view->scope_prefix;
  filter.customer_id = view->customer_id;
  filter.license_id = query.license_id;
  filter.product = query.product;
  filter.user = query.user;
  filter.host = query.host;
  return ctx.db.leases().list(filter, query.page, ctx.now_ms);
}

Lease release_lease(const Context& ctx, const ReleaseLease& request) {
  refuse_if_read_only(ctx.caller);
  if (ctx.caller.customer) throw forbidden("a customer cannot release leases");
  ctx.require(kModifyCustomers);
  const std::string reason = required_text("reason", request.reason);
  auto lease = ctx.db.leases().find(request.ref, ctx.now_ms);
  if (!lease || !ctx.caller.sees(lease->scope)) throw not_found("lease");
  if (ctx.seats == nullptr) throw StoreError("no seat engine to release the lease");
  const boost::json::object after{{"reason", reason}, {"released", ctx.now_ms / 1000}};
  LeaseRelease order{lease->ref, lease->license_id, reason,
                     ctx.audit_record("lease.release", "lease:" + lease->ref, lease->scope,
                                      to_text(lease_json(*lease)), to_text(after))};
  // Checked in, expired or released by someone else since it was read: it is not live any more.
  if (!ctx.seats->release(order)) throw not_found("lease");
  return *lease;
}

}  // namespace lmp::domain
