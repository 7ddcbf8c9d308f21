// The partner account operations: create a partner (MSP or reseller, with its kind's default
// permissions), list and read them, set their permissions (the parent only), and change their
// status, a cancellation ending the licenses of every customer below.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "domain/account.hpp"
#include "domain/context.hpp"
#include "domain/page.hpp"

namespace lmp::domain {

// An account with its partner permissions (none for the parent, which has them all).
struct AccountView {
  Account account;
  std::set<std::string> permissions;
};

struct CreatePartner {
  std::optional<std::string> name;
  std::optional<std::string> kind;  // "msp" or "reseller"
};

struct SetPartnerPermissions {
  std::int64_t id = 0;
  std::optional<std::vector<std::string>> permissions;  // the complete new set
};

struct SetPartnerStatus {
  std::int64_t id = 0;
  std::optional<std::string> status;  // "active", "suspended" or "canceled"
};

// The account as callers see it.
AccountView view_of(const Context& ctx, const Account& account);

// These need manage_partners; a partner is any account strictly below the caller's.
AccountView create_partner(const Context& ctx, const CreatePartner& request);
std::vector<AccountView> list_partners(const Context& ctx, Page page);
AccountView get_partner(const Context& ctx, std::int64_t id);
// The parent only: a partner must not widen its own rights or those below it.
AccountView set_partner_permissions(const Context& ctx, const SetPartnerPermissions& request);
// Canceling is final (partner_canceled on any later change) and ends every license of every
// customer below the partner now.
AccountView set_partner_status(const Context& ctx, const SetPartnerStatus& request);

}  // namespace lmp::domain
