// Which licenses a caller may view, narrowed by a customer and a partner.
#include "domain/license_view.hpp"

#include "domain/permissions.hpp"

namespace lmp::domain {

std::optional<LicenseView> license_view(const Context& ctx, std::optional<std::int64_t> customer_id,
                                        std::optional<std::int64_t> account_id) {
  LicenseView view;
  if (ctx.caller.customer) {
    if (customer_id && *customer_id != ctx.caller.customer->id) return std::nullopt;
    view.scope_prefix = ctx.caller.customer->scope();
    view.customer_id = ctx.caller.customer->id;
  } else {
    ctx.require(kViewLicenses);
    view.scope_prefix = ctx.caller.scope;
    view.customer_id = customer_id;
  }
  if (account_id) {
    auto account = ctx.db.accounts().find(*account_id);
    if (!account || !ctx.caller.sees(account->path)) return std::nullopt;
    view.scope_prefix = account->path;
  }
  return view;
}

}  // namespace lmp::domain
