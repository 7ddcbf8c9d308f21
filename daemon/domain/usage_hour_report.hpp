// A usage report merged from license hours (domain/usage_hours.hpp) instead of replayed from the
// records: the same rows as UsageReportBuilder for the license, product, customer and partner
// groups. Per-user and per-host reports need the records (a license hour keeps holders, not
// whose units were whose).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "domain/usage_hours.hpp"
#include "domain/usage_report.hpp"

namespace lmp::domain {

// Who held or took a license's units during the hours of one UTC day, as stored.
struct UsageHolderDay {
  std::int64_t license_id = 0;
  std::string product;
  std::int64_t customer_id = 0;
  std::optional<std::int64_t> account_id;
  std::int64_t day_ms = 0;
  std::int64_t hours = 0;  // bit h: hour h of the day
  // Bit h: in hour h only through a lease carried into it (UsageLicenseHour::carried_holders).
  std::int64_t carried_hours = 0;
  std::string user;
  std::string host;
};

// Whether a group can be merged from license hours.
bool usage_group_rolls_up(UsageGroup group);

// Thread safety: none; one per report.
class UsageHourReport {
 public:
  // REQUIRES usage_group_rolls_up(group), from_ms < to_ms. `max_rows` as UsageReportBuilder's.
  UsageHourReport(UsageGroup group, UsagePeriod period, std::int64_t from_ms, std::int64_t to_ms,
                  std::int64_t end_ms, std::size_t max_rows);

  // A license hour with its holders. REQUIRES every license hour of one time given together
  // (one after the other). An hour at from_ms is taken without what was carried into it.
  void add(const UsageLicenseHour& hour);
  // The holders of `day`'s hours set in both day.hours and `hours` (bit h: hour h of the day).
  void add_holders(const UsageHolderDay& day, std::int64_t hours);
  std::vector<UsageRow> finish();

 private:
  struct Cell {  // one group in one period
    std::int64_t peak_units = 0;
    std::int64_t unit_ms = 0;
    std::int64_t checkouts = 0;
    // Interned names, repeated; made distinct by finish() (cheaper than a set per cell).
    std::vector<const std::string*> users;
    std::vector<const std::string*> hosts;
  };

  std::size_t group_of(std::int64_t license_id, const UsageKey& license_key);
  std::size_t period_of(std::int64_t at_ms) const;
  Cell& cell(std::size_t group, std::size_t period);
  // The one copy of `name` this report keeps; null for "".
  const std::string* intern(const std::string& name);
  static void add_holder(Cell& cell, const std::string* user, const std::string* host);
  // The peaks of the hour buffered: per group, the most units at one moment of that hour.
  void flush_hour();

  void add_own(const UsageLicenseHour& hour, bool with_carried);

  UsageGroup group_;
  std::int64_t from_ms_;
  std::int64_t end_ms_;
  std::size_t max_rows_;
  std::vector<std::int64_t> period_starts_;  // and the range's end last
  std::map<UsageKey, std::size_t> groups_;
  std::vector<UsageKey> keys_;
  std::unordered_map<std::int64_t, std::size_t> license_groups_;
  std::unordered_map<std::size_t, Cell> cells_;  // by group * periods + period
  std::unordered_set<std::string> names_;
  // The license hours of one time, by group, until a later one comes.
  std::int64_t buffered_ms_ = 0;
  std::map<std::size_t, std::vector<UsageLicenseHour>> buffered_;
};

}  // namespace lmp::domain
