// An account of the tree (docs/admin-api.md, accounts): the parent (Tier-1) at the root, partners
// (MSP or reseller) below it, with the status that rules what they may do.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/enum_names.hpp"

namespace lmp::domain {

enum class AccountKind { parent, msp, reseller };
// active: everything its permissions allow; suspended: read-only, reversible; canceled: final,
// no access, and the licenses of its customers end at the cancellation.
enum class AccountStatus { active, suspended, canceled };

template <>
struct EnumNames<AccountKind> {
  static constexpr EnumName<AccountKind> kNames[] = {{AccountKind::parent, "parent"},
                                                     {AccountKind::msp, "msp"},
                                                     {AccountKind::reseller, "reseller"}};
};
template <>
struct EnumNames<AccountStatus> {
  static constexpr EnumName<AccountStatus> kNames[] = {{AccountStatus::active, "active"},
                                                       {AccountStatus::suspended, "suspended"},
                                                       {AccountStatus::canceled, "canceled"}};
};

struct Account {
  std::int64_t id = 0;
  AccountKind kind = AccountKind::parent;
  std::string name;
  std::optional<std::int64_t> parent_id;  // none for the parent account
  std::string path;  // ids from the root, "/1/4/": the subtree is every path with this prefix
  AccountStatus status = AccountStatus::active;
  std::int64_t status_changed_at_ms = 0;
  std::int64_t created_at_ms = 0;

  bool is_parent() const { return !parent_id; }
};

}  // namespace lmp::domain
