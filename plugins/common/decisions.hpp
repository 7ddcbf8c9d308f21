// Answers every first-party family gives the same way: a refused holder, and a holder's existing
// lease handed back. Header-only, since each plugin is a library of its own.
#pragma once

#include <string>

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

}  // namespace lmp::plugins
