// The site policy on the seat path (docs/admin-api.md, "Site policy"): a CheckoutGate that
// refuses a checkout the customer's policy does not allow (not_allowed) or that would take a
// user, host or group past a max rule (over_limit with limit=N).
#pragma once

#include <memory>

#include "seat/seat_rules.hpp"

namespace lmp::seat {

// Thread safety: asked on the storage thread only (as every gate). It compiles the stored
// policies once per change of the store's policy generation, not per checkout.
std::shared_ptr<CheckoutGate> make_site_policy_gate();

}  // namespace lmp::seat
