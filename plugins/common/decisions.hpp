// Answers every first-party family gives the same way: a refused holder, and a holder's existing
// lease handed back. Header-only, since each plugin is a library of its own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lmp/sdk/family.hpp"

namespace lmp::plugins {

inline sdk::HolderIdentity deny_holder(sdk::Denial denial, std::string message) {
  sdk::HolderIdentity identity;
  identity.denial = denial;
  identity.message = std::move(message);
  return identity;
}

// The holder already has a live lease: hand it back, extended, taking no further unit.
inline sdk::CheckoutDecision reuse_lease(const sdk::CheckoutContext& context) {
  sdk::CheckoutDecision decision;
  decision.verdict = sdk::CheckoutDecision::Verdict::reuse;
  decision.denial = sdk::Denial::none;
  decision.units = context.holder_units;
  return decision;
}

// The holder of a seat: the user on the host. The user is escaped, so that no two pairs share a
// key; keys of users without '%' or '@' read as they did before the escaping, so their
// stored leases keep being found.
inline std::string seat_holder_key(std::string_view user, std::string_view host) {
  return "seat:" + sdk::escape_holder_field(user, '@') + "@" + std::string(host);
}

// Who holds a lease, by what the license counts: an endpoint is its host, a user its name, and a
// seat FlexNet's USER_HOST pair (the same user on the same host holds one seat however many times
// the application starts; without either, nothing ties two checkouts together).
inline sdk::HolderIdentity holder_by_unit(sdk::UnitType unit, const sdk::HolderRequest& request) {
  sdk::HolderIdentity identity;
  switch (unit) {
    case sdk::UnitType::endpoints:
      if (request.host.empty()) return deny_holder(sdk::Denial::bad_request, "missing field host");
      if (request.units_requested != 1)
        return deny_holder(sdk::Denial::bad_request, "an endpoint takes exactly one unit");
      identity.key = "host:" + std::string(request.host);
      return identity;
    case sdk::UnitType::users:
      if (request.user.empty()) return deny_holder(sdk::Denial::bad_request, "missing field user");
      if (request.units_requested != 1)
        return deny_holder(sdk::Denial::bad_request, "a user takes exactly one unit");
      identity.key = "user:" + std::string(request.user);
      return identity;
    case sdk::UnitType::seats:
      if (request.units_requested < 1)
        return deny_holder(sdk::Denial::bad_request, "units must be at least 1");
      if (!request.host.empty() || !request.user.empty())
        identity.key = seat_holder_key(request.user, request.host);
      return identity;
    case sdk::UnitType::encryption_keys:
      break;
  }
  return deny_holder(sdk::Denial::product_not_licensed,
                     "encryption keys are not counted per holder by this family");
}

// Reuses the holder's lease, or grants the units asked for while they fit in the license.
inline sdk::CheckoutDecision grant_if_free(const sdk::CheckoutContext& context) {
  if (context.holder_has_lease) return reuse_lease(context);
  sdk::CheckoutDecision decision;
  if (context.units_requested < 1) {
    decision.denial = sdk::Denial::bad_request;
    decision.message = "units must be at least 1";
    return decision;
  }
  // Written as a subtraction so an absurd request cannot overflow the sum.
  const std::int64_t free_units = context.license_units - context.units_in_use;
  if (context.units_requested <= free_units) {
    decision.verdict = sdk::CheckoutDecision::Verdict::grant;
    decision.denial = sdk::Denial::none;
    decision.units = context.units_requested;
    return decision;
  }
  const std::string unit(context.product != nullptr ? sdk::to_string(context.product->unit)
                                                    : std::string_view("units"));
  decision.denial = sdk::Denial::no_seats;
  if (free_units <= 0) {
    decision.message = "all " + std::to_string(context.license_units) + " " + unit + " in use";
  } else {
    decision.message = "only " + std::to_string(free_units) + " of " +
                       std::to_string(context.license_units) + " " + unit + " free, " +
                       std::to_string(context.units_requested) + " requested";
  }
  return decision;
}

}  // namespace lmp::plugins
