// The borrow rule's verdict.
#include "domain/borrow_rule.hpp"

namespace lmp::domain {

BorrowVerdict judge_borrow(const BorrowRule* rule, std::int64_t seconds, std::int64_t units,
                           std::int64_t borrowed_units) {
  BorrowVerdict v;
  if (rule == nullptr || !rule->allowed) {
    v.outcome = BorrowVerdict::Outcome::not_allowed;
    v.reason = rule == nullptr ? "borrowing is not allowed: no site policy allows it"
                               : "borrowing is not allowed by the site policy";
    return v;
  }
  if (rule->max_seconds > 0 && seconds > rule->max_seconds) {
    v.outcome = BorrowVerdict::Outcome::too_long;
    v.limit = rule->max_seconds;
    v.reason = "borrow may be at most " + std::to_string(rule->max_seconds) +
               " seconds (the site policy's borrow.max_seconds)";
    return v;
  }
  if (rule->max_units > 0 && borrowed_units + units > rule->max_units) {
    v.outcome = BorrowVerdict::Outcome::over_limit;
    v.limit = rule->max_units;
    v.reason = std::to_string(borrowed_units) + " of at most " + std::to_string(rule->max_units) +
               " units are borrowed (the site policy's borrow.max_units)";
    return v;
  }
  return v;
}

}  // namespace lmp::domain
