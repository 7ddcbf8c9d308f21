// A customer account, under the parent or under a partner: it holds licenses and uses them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/enum_names.hpp"

namespace lmp::domain {

// Disabling expires every license of the customer at once; enabling restores their dates.
enum class CustomerStatus { enabled, disabled };

template <>
struct EnumNames<CustomerStatus> {
  static constexpr EnumName<CustomerStatus> kNames[] = {{CustomerStatus::enabled, "enabled"},
                                                        {CustomerStatus::disabled, "disabled"}};
};

struct Customer {
  std::int64_t id = 0;
  std::string name;
  std::int64_t owner_id = 0;  // the parent or partner account it is under
  std::string owner_path;
  CustomerStatus status = CustomerStatus::enabled;
  std::int64_t created_at_ms = 0;
  // Its place in the tree: the owner's path and "c<id>/", so one prefix test covers accounts and
  // customers alike.
  std::string scope() const { return owner_path + "c" + std::to_string(id) + "/"; }
};

}  // namespace lmp::domain
