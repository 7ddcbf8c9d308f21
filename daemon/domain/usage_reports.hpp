// The usage report operation: who may ask for which records, the range and its bounds, and the
// report rule (domain/usage_report.hpp) over the records and the live leases.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/context.hpp"
#include "domain/usage_report.hpp"

namespace lmp::domain {

// Every filter narrows; none widens the caller's view. `account_id` is a partner (or the parent):
// the records of the customers in its subtree.
struct UsageReportQuery {
  std::optional<std::int64_t> from_ms;  // required
  std::optional<std::int64_t> to_ms;    // default: now
  std::string group = "license";        // license, product, customer, partner, user or host
  std::string period = "all";           // all, hour, day or month
  std::optional<std::int64_t> license_id;
  std::optional<std::int64_t> customer_id;
  std::optional<std::int64_t> account_id;
  std::string product;
};

// At most this many periods in one report, and this many rows: beyond them bad_request.
inline constexpr std::int64_t kMaxUsagePeriods = 1000;
inline constexpr std::size_t kMaxUsageRows = 100'000;

// The report of [from, to) over the records of the licenses the caller may see (a customer's user
// its own customer's; otherwise view_licenses over its subtree). Use is counted up to the end of
// the range or now, whichever is earlier. bad_request for an unknown group or period, a missing
// or empty range, too many periods or rows.
std::vector<UsageRow> usage_report(const Context& ctx, const UsageReportQuery& query);

}  // namespace lmp::domain
