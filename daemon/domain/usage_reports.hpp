// The usage report operation: who may ask for which records, the range and its bounds, and the
// report rule (domain/usage_report.hpp) over the records and the live leases.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/context.hpp"
#include "domain/usage_report.hpp"
#include "domain/usage_repository.hpp"

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
// or empty range, too many periods or rows. Every group is merged from the hourly roll-ups where
// there are any (domain/usage_rollups.hpp), the other stretches replayed from the records.
std::vector<UsageRow> usage_report(const Context& ctx, const UsageReportQuery& query);

// The same report replayed from the records alone: the reference the roll-ups must agree with.
std::vector<UsageRow> usage_report_from_records(const Context& ctx, const UsageReportQuery& query);

// A query checked against the caller's view: `filter` is nullopt when the caller sees nothing.
struct CheckedUsageQuery {
  UsageGroup group = UsageGroup::license;
  UsagePeriod period = UsagePeriod::all;
  std::int64_t from_ms = 0;
  std::int64_t to_ms = 0;
  std::optional<UsageFilter> filter;
};
CheckedUsageQuery check_usage_query(const Context& ctx, const UsageReportQuery& query);

// Each lease in use at `at_ms` matching `filter`, once, as a record of its use: those that ended
// since (their ending record), then those still held (expired ones too, until the sweep reclaims
// them: their units are not back yet, and their reclaim record will say so).
// With `carried`, also the leases that ended exactly at `at_ms` (their ending record): in use at
// the start of a period of a report whose range began earlier (UsageHourBuilder).
void each_in_use_at(UnitOfWork& db, const UsageFilter& filter, std::int64_t at_ms,
                    const UsageVisitor& visit, bool carried = false);

}  // namespace lmp::domain
