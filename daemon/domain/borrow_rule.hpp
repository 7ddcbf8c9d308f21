// What a site policy's `borrow` rule decides about a borrow (docs/admin-api.md, "Site policy"):
// whether it is allowed at all, for how long, and how many units of a license may be borrowed at
// once.
#pragma once

#include <cstdint>
#include <string>

#include "domain/site_policy.hpp"

namespace lmp::domain {

struct BorrowVerdict {
  enum class Outcome {
    allowed,
    not_allowed,  // no policy applies, or its rule does not allow borrowing
    too_long,     // longer than the rule's max_seconds (`limit`)
    over_limit,   // the license's borrowed units would pass the rule's max_units (`limit`)
  };
  Outcome outcome = Outcome::allowed;
  std::string reason;
  std::int64_t limit = 0;
};

// A borrow of `units` for `seconds` on a license of which `borrowed_units` are borrowed now.
// `rule`: the borrow rule of the policy that applies to the license; nullptr when none does, and
// then borrowing is not allowed (it takes units away for days: a customer's policy must say so).
// A max_seconds or max_units of 0 sets no limit of its own (the server's longest borrow,
// kMaxBorrowSeconds, and the license's units still apply).
BorrowVerdict judge_borrow(const BorrowRule* rule, std::int64_t seconds, std::int64_t units,
                           std::int64_t borrowed_units);

}  // namespace lmp::domain
