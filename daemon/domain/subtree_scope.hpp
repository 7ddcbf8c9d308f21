// The subtree a read of the audit log or the events covers: the caller's own, or one account's or
// customer's within it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/context.hpp"

namespace lmp::domain {

// The scope prefix of `account_id` or `customer_id` (at most one) if the caller sees it, else the
// caller's own. The parent's own is "/", which also holds customers made before the first run.
// Throws bad_request when both are given, not_found when the caller does not see the one given.
std::string subtree_scope(const Context& ctx, std::optional<std::int64_t> account_id,
                          std::optional<std::int64_t> customer_id);

}  // namespace lmp::domain
