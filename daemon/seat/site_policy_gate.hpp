// The site policy on the seat path (docs/admin-api.md, "Site policy"): a CheckoutGate that
// refuses a checkout the customer's policy does not allow (not_allowed), that would take a user,
// host or group past a max rule (over_limit with limit=N) or take units reserved for others
// (no_seats with reserved=N), and the linger after a checkin.
#pragma once

#include <memory>

#include "seat/seat_rules.hpp"

namespace lmp::seat {

// One object in both roles. Thread safety: asked on the storage thread only (as every gate). It
// compiles the stored policies once per change of the store's policy generation, not per
// checkout.
struct SitePolicyRules {
  std::shared_ptr<CheckoutGate> gate;
  std::shared_ptr<CheckinLinger> linger;
};
SitePolicyRules make_site_policy_rules();

}  // namespace lmp::seat
