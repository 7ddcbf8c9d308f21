// The branding operations: how an account presents itself to the customers below it. An account
// with modify_branding sets its own; every caller reads the branding in force for it, each field
// taken from the nearest account on its way up the tree that set it.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "domain/account.hpp"
#include "domain/branding.hpp"
#include "domain/context.hpp"

namespace lmp::domain {

// The branding in force: each field's value ("" when no account set it) and the account it comes
// from (none then), in kBrandingFields' order.
struct EffectiveBranding {
  Branding values;
  std::vector<std::optional<std::int64_t>> from;
};

EffectiveBranding effective_branding(const Context& ctx);
// The accounts whose branding the caller sees, nearest first: its own account (a customer's: the
// account it is under) and those above it. Where a partner's own branding reaches its customers:
// a partner sets it only with modify_branding.
std::vector<Account> branding_line(const Context& ctx);
// Needs modify_branding (the parent and partner accounts). Replaces the caller's account's
// branding; an empty field is taken from above. The color must be #RRGGBB, the URLs http(s)://,
// the e-mail an address.
Branding set_branding(const Context& ctx, Branding next);

}  // namespace lmp::domain
