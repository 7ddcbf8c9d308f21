// Auto-renewal at expiry (docs/events.md, "Auto-renewal"): a license with auto-renewal renews
// when it reaches its expiry, for its period, its units sold again from the pool of the account
// its customer is under; a renewal that cannot happen leaves the license to its grace, says why,
// and is tried again at each sweep of the grace (a pool topped up renews it with no gap).
#pragma once

#include <cstdint>

#include "domain/context.hpp"
#include "domain/event.hpp"
#include "domain/license.hpp"

namespace lmp::domain {

// Whether the sweep that looks at (after_ms, until_ms] renews `license`: auto-renewal on, not cut
// off by its customer's disabling, its expiry in the window.
bool auto_renewal_due(const License& license, std::int64_t after_ms, std::int64_t until_ms);

// Whether a sweep at `now_ms` tries `license` again: auto-renewal on, not cut off, past its
// expiry (so a renewal failed or could not be tried) and still in its grace.
bool auto_renewal_retry_due(const License& license, std::int64_t now_ms);

struct AutoRenewal {
  bool renewed = false;
  License license;  // as it stands after the attempt
  NewEvent event;   // license.renewed or license.renewal_failed
};

// One attempt, in the context's write transaction by the server, at ctx.now_ms. Renews from the
// expiry (no gap) by its period (license_renewal.hpp); when lmpd was down so long that the new
// expiry would lie in the past already, by one period from now (the periods nobody could use are
// not sold). A renewal with a changed expiry (an admin's renewal committed first) is left alone:
// nullopt. A failure's event is keyed by the expiry, so the retries of one expiry raise it once;
// the caller logs it when it is raised. Storage failures throw StoreError (the sweep is retried
// whole).
std::optional<AutoRenewal> auto_renew(const Context& ctx, const License& license);

}  // namespace lmp::domain
