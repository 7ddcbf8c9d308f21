// The usage report rule (domain spec, "Usage records and reports"): from the usage records of a
// time range, per group (license, product, customer, partner, user or host) and period (hour, day,
// month or the whole range), the exact peak of units in use at one moment, unit-hours, checkouts
// and distinct users and hosts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "domain/usage_record.hpp"

namespace lmp::domain {

enum class UsageGroup { license, product, customer, partner, user, host };
enum class UsagePeriod { all, hour, day, month };

// "license", "product", "customer", "partner", "user", "host" / "all", "hour", "day", "month";
// nullopt otherwise.
std::optional<UsageGroup> usage_group_named(std::string_view name);
std::optional<UsagePeriod> usage_period_named(std::string_view name);

// The end of the period starting at `start_ms` (hour, day and month aligned on UTC; `all` and
// every period end at `to_ms` at the latest).
std::int64_t usage_period_end(UsagePeriod period, std::int64_t start_ms, std::int64_t to_ms);

// What a row is about; the fields its group does not name stay empty (a license names its
// product, customer and partner; a customer its partner).
struct UsageKey {
  std::optional<std::int64_t> license_id;
  std::string product;
  std::optional<std::int64_t> customer_id;
  std::optional<std::int64_t> account_id;  // the partner; none for a customer under the root
  std::string user;  // as the checkouts named them; "" for those that named none
  std::string host;

  auto operator<=>(const UsageKey&) const = default;
};

struct UsageRow {
  UsageKey key;
  std::int64_t from_ms = 0;  // the period, clipped to the report's range and to its end_ms
  std::int64_t to_ms = 0;
  std::int64_t peak_units = 0;  // the most units in use at one moment of the period
  std::int64_t unit_ms = 0;     // units in use integrated over the period (unit-milliseconds)
  std::int64_t checkouts = 0;   // granted checkouts (new leases and repeated ones)
  std::int64_t users = 0;       // distinct non-empty users holding units or checking out
  std::int64_t hosts = 0;

  double unit_hours() const { return static_cast<double>(unit_ms) / 3'600'000.0; }
  // The average units in use over the period.
  double average_units() const {
    return to_ms > from_ms ? static_cast<double>(unit_ms) / static_cast<double>(to_ms - from_ms)
                           : 0.0;
  }
};

// Builds one report from the records of [from_ms, to_ms) as they stream by, holding only the
// leases open at one time and the rows made, never the records. Use time is counted up to
// `end_ms` (the range's end, or now when that is earlier): a lease still held is in use until
// then.
// Usage: every lease in use at from_ms first (`in_use_at_start`: a live lease checked out
// earlier, or the ending record, with since_ms < from_ms, of one that ended later), then each
// record of the range with add() in the order written (at_ms, then id), then finish().
// Thread safety: none; one builder per report.
class UsageReportBuilder {
 public:
  // REQUIRES from_ms < to_ms. `max_rows` bounds the rows: add() and finish() throw bad_request
  // beyond it, so a report of a huge range over many licenses is refused, not run out of memory.
  UsageReportBuilder(UsageGroup group, UsagePeriod period, std::int64_t from_ms, std::int64_t to_ms,
                     std::int64_t end_ms, std::size_t max_rows);

  void in_use_at_start(const UsageRecord& lease);
  void add(const UsageRecord& record);
  // The rows, in key order then period order; periods where a group had no use are left out.
  std::vector<UsageRow> finish();

  // The number of periods of [from_ms, to_ms).
  static std::int64_t period_count(UsagePeriod period, std::int64_t from_ms, std::int64_t to_ms);

 private:
  struct GroupState {
    std::int64_t in_use = 0;
    std::int64_t changed_ms = 0;  // when in_use last changed (or the period started)
    std::int64_t open_leases = 0;
    UsageRow row;  // the current period's
    // Interned names (names_): a period's start adds every holder's again, cheaply.
    std::unordered_set<const std::string*> users;
    std::unordered_set<const std::string*> hosts;
  };
  struct OpenLease {
    GroupState* group = nullptr;
    std::int64_t units = 0;
    const std::string* user = nullptr;  // interned; null when the checkout named none
    const std::string* host = nullptr;
  };

  UsageKey key_of(const UsageRecord& record) const;
  GroupState& group_of(const UsageRecord& record);
  // Closes the periods that end at or before `at_ms`.
  void advance_to(std::int64_t at_ms);
  void close_period();
  void start(GroupState& group, const UsageRecord& record, std::int64_t at_ms);
  // The one copy of `name` this report keeps; null for "".
  const std::string* intern(const std::string& name);
  static void add_holder(GroupState& group, const OpenLease& lease);
  void end(const UsageRecord& record);
  std::int64_t period_end(std::int64_t start_ms) const;

  UsageGroup group_;
  UsagePeriod period_;
  std::int64_t from_ms_;
  std::int64_t to_ms_;
  std::int64_t end_ms_;
  std::size_t max_rows_;
  std::int64_t period_from_ms_;
  std::int64_t period_to_ms_;
  std::map<UsageKey, GroupState> groups_;
  std::unordered_map<std::string, OpenLease> open_;  // by lease reference
  std::unordered_set<std::string> names_;            // users and hosts, bounded by the endpoints
  std::vector<UsageRow> rows_;
};

}  // namespace lmp::domain
