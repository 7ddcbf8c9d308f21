// Auto-renewal: the renewal rule (license_renewal.hpp) applied at expiry by the server, with a
// compare-and-set on the expiry so that it renews once, and the event that tells of it.
#include "domain/auto_renewal.hpp"

#include <boost/json/object.hpp>

#include "core/log.hpp"
#include "domain/domain_error.hpp"
#include "domain/domain_json.hpp"
#include "domain/event_rules.hpp"
#include "domain/license_renewal.hpp"
#include "domain/pools.hpp"

namespace lmp::domain {
namespace {

namespace json = boost::json;

// The account that sells to the license's customer: its pool pays for the renewal (none for the
// parent's own customers).
std::optional<Account> seller_of(const Context& ctx, const License& license) {
  auto customer = ctx.db.customers().find(license.customer_id);
  if (!customer) return std::nullopt;
  return ctx.db.accounts().find(customer->owner_id);
}

// How many units the seller's pool lacks for `units` more.
std::int64_t pool_short_by(const Context& ctx, const Account& seller, const License& license) {
  auto pool = ctx.db.pools().find(seller.id, license.product_code);
  const std::int64_t left = pool ? pool->assigned - pool->drawn : 0;
  return license.units - left;
}

AutoRenewal failed(const Context& ctx, const License& license, std::string_view reason,
                   const std::string& message, json::object extra) {
  extra["reason"] = reason;
  extra["message"] = message;
  return {false, license,
          license_event(license, event_type::kLicenseRenewalFailed, ctx.now_ms, std::move(extra),
                        license.expires_at_ms)};
}

}  // namespace

bool auto_renewal_due(const License& license, std::int64_t after_ms, std::int64_t until_ms) {
  return license.auto_renew && !license.cut_off_at_ms && license.expires_at_ms > after_ms &&
         license.expires_at_ms <= until_ms;
}

bool auto_renewal_retry_due(const License& license, std::int64_t now_ms) {
  return license.auto_renew && !license.cut_off_at_ms && license.expires_at_ms <= now_ms &&
         license.expires_at_ms + license.grace_ms > now_ms;
}

std::optional<AutoRenewal> auto_renew(const Context& ctx, const License& license) {
  const std::int64_t period = renewal_period_ms(license, plan_of(ctx.db, license));
  std::int64_t expires = license.expires_at_ms + period;
  if (expires <= ctx.now_ms) expires = ctx.now_ms + period;
  const auto seller = seller_of(ctx, license);
  const Account* pool_owner = seller ? &*seller : nullptr;
  License after;
  try {
    after = renewed_license(ctx, license, expires, pool_owner);
  } catch (const DomainError& ex) {
    json::object extra;
    if (ex.code() == ErrorCode::pool_exhausted && seller) {
      extra["pool_account"] = seller->id;
      extra["pool_short_by"] = pool_short_by(ctx, *seller, license);
    }
    return failed(ctx, license, to_string(ex.code()), ex.what(), std::move(extra));
  }
  if (!ctx.db.licenses().move_expiry(license.id, license.expires_at_ms, after.expires_at_ms)) {
    // Renewed (or changed) by someone else since it was read: what was drawn goes back.
    if (seller) return_to_pool(ctx.db, *seller, license.product_code, license.units);
    return std::nullopt;
  }
  auto stored = *ctx.db.licenses().find(license.id);
  ctx.audit("license.renew", "license:" + std::to_string(stored.id), stored.scope,
            to_text(license_json(license, ctx.now_ms)), to_text(license_json(stored, ctx.now_ms)));
  json::object extra{{"previous_expires", license.expires_at_ms / 1000},
                     {"period_days", period / kDayMs}};
  if (seller && !seller->is_parent()) extra["pool_account"] = seller->id;
  log::info("license_auto_renewed", {{"license", std::to_string(stored.id)},
                                     {"expires", std::to_string(stored.expires_at_ms / 1000)}});
  return AutoRenewal{true, stored,
                     license_event(stored, event_type::kLicenseRenewed, ctx.now_ms,
                                   std::move(extra), license.expires_at_ms)};
}

}  // namespace lmp::domain
