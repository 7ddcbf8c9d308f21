// Which licenses a caller may view (their leases and their use with them): the rule the lease
// list and the usage reports share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/context.hpp"

namespace lmp::domain {

// The licenses of the customers below `scope_prefix`, of `customer_id` only when set.
struct LicenseView {
  std::string scope_prefix;
  std::optional<std::int64_t> customer_id;
};

// The caller's view (a customer's user its own customer's; otherwise view_licenses over its
// subtree, forbidden without it), narrowed to `customer_id` and to the subtree of `account_id`
// when given. nullopt when they narrow it to nothing: a customer or account the caller does not
// see lists nothing rather than telling it apart from an empty one.
std::optional<LicenseView> license_view(const Context& ctx, std::optional<std::int64_t> customer_id,
                                        std::optional<std::int64_t> account_id);

}  // namespace lmp::domain
