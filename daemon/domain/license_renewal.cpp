// The one renewal rule: period, refusals and the pool draw.
#include "domain/license_renewal.hpp"

#include "domain/domain_error.hpp"
#include "domain/plan_repository.hpp"
#include "domain/pools.hpp"

namespace lmp::domain {

std::optional<ServicePlan> plan_of(UnitOfWork& db, const License& license) {
  if (!license.plan_id) return std::nullopt;
  return db.plans().find(*license.plan_id);
}

std::int64_t renewal_period_ms(const License& license, const std::optional<ServicePlan>& plan) {
  // Never the term's length: a renewal leaves the start where it was, so the term grows with
  // each renewal and would double the next one.
  if (plan) return plan->period_days * kDayMs;
  return license.period_days * kDayMs;
}

std::int64_t term_days(std::int64_t starts_ms, std::int64_t expires_ms) {
  const std::int64_t days = (expires_ms - starts_ms + kDayMs / 2) / kDayMs;
  return days < 1 ? 1 : days;
}

License renewed_license(const Context& ctx, const License& before, std::int64_t expires_ms,
                        const Account* seller) {
  if (ctx.lifecycle(before.product_code).end_of_life())
    throw DomainError(ErrorCode::end_of_life,
                      "product " + before.product_code + " has reached End of Life");
  if (expires_ms <= before.expires_at_ms)
    throw bad_request("a renewal must end later than the license does now");
  // Last, so that a refusal above draws nothing; a pool too small takes nothing either.
  draw_from_pool(ctx.db, seller, before.product_code, before.units);
  auto after = before;
  after.expires_at_ms = expires_ms;
  return after;
}

}  // namespace lmp::domain
