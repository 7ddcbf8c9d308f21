// The renewal rule every renewal shares, a manual one (licenses.cpp) and auto-renewal at expiry
// (auto_renewal.cpp): the period it runs for, what it refuses, and the units it sells again.
#pragma once

#include <cstdint>
#include <optional>

#include "domain/account.hpp"
#include "domain/context.hpp"
#include "domain/license.hpp"
#include "domain/service_plan.hpp"

namespace lmp::domain {

// The service plan `license` was issued from, when it has one and it is still stored.
std::optional<ServicePlan> plan_of(UnitOfWork& db, const License& license);

// The period a renewal runs for when no length is asked: its plan's while the plan is stored,
// else its own (License::period_days).
std::int64_t renewal_period_ms(const License& license, const std::optional<ServicePlan>& plan);

// The period of a license made without a plan and without one asked for: its first term's
// length in whole days (rounded to the nearest, at least one).
std::int64_t term_days(std::int64_t starts_ms, std::int64_t expires_ms);

// `before` renewed to `expires_ms`, in the context's write transaction (the caller stores it).
// A renewal sells the license's units again for the new period: they are drawn from the pool of
// `seller` (none for the parent or no account), as a new license's are. Throws DomainError
// end_of_life after the product's End of Life (End of Sale does not stop renewals: current
// customers keep what they have), bad_request when `expires_ms` is not later than the expiry,
// pool_exhausted when the pool cannot cover the units (then nothing is drawn).
License renewed_license(const Context& ctx, const License& before, std::int64_t expires_ms,
                        const Account* seller);

}  // namespace lmp::domain
