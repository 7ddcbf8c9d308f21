// A usage report merged from license hours (domain/usage_hours.hpp) instead of replayed from the
// records: the same rows as UsageReportBuilder for every group. The license, product, customer and
// partner groups merge license hours and count holders from the holder days; the user and host
// groups merge each holder's own hours (UsageHolderHour, kept with its holder day).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "domain/usage_hours.hpp"
#include "domain/usage_report.hpp"

namespace lmp::domain {

// One holder's use of one license in one hour of a day: a UsageLicenseHour of the holder's leases
// alone (UsageHourBuilder by holder), its changes in UsageHolderDay::changes.
struct UsageHolderHour {
  int hour = 0;  // of the day
  std::int64_t start_units = 0;
  std::int64_t carried_units = 0;
  std::int64_t peak_units = 0;
  std::int64_t unit_ms = 0;
  std::int64_t checkouts = 0;
  std::uint32_t changes_begin = 0;  // [begin, end) of UsageHolderDay::changes
  std::uint32_t changes_end = 0;
};

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
  // The holder's use in each hour it held or took units; read only when asked.
  std::vector<UsageHolderHour> use;
  std::vector<UsageChange> changes;
};

// Whether a group merges holder hours (user, host) rather than license hours.
bool usage_group_by_holder(UsageGroup group);

// Thread safety: none; one per report.
class UsageHourReport {
 public:
  // REQUIRES from_ms < to_ms. `max_rows` as UsageReportBuilder's.
  UsageHourReport(UsageGroup group, UsagePeriod period, std::int64_t from_ms, std::int64_t to_ms,
                  std::int64_t end_ms, std::size_t max_rows);

  // A license hour with its holders (by holder for the user and host groups). REQUIRES every
  // hour of one time given together (one after the other). An hour at from_ms is taken without
  // what was carried into it.
  void add(const UsageLicenseHour& hour);
  // The holders of `day`'s hours set in both day.hours and `hours` (bit h: hour h of the day).
  void add_holders(const UsageHolderDay& day, std::int64_t hours);
  // User and host groups: every holder day of one day with its use, whose hours set in `hours`
  // are taken (their holders too); none of those hours given to add().
  void add_holder_days(std::span<const UsageHolderDay> days, std::int64_t hours);
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
  // The user or host group of a holder.
  std::size_t holder_group(const std::string& user, const std::string& host);
  std::size_t group_index(const UsageKey& key);
  // The most units at one moment of an hour of a group held by several licenses or holders:
  // their changes together in the order written, from what all held at its start.
  static std::int64_t merged_peak(std::int64_t start_units, std::vector<UsageChange>& changes);
  std::size_t period_of(std::int64_t at_ms) const;
  Cell& cell(std::size_t group, std::size_t period);
  // The one copy of `name` this report keeps; null for "".
  const std::string* intern(const std::string& name);
  static void add_holder(Cell& cell, const std::string* user, const std::string* host);
  void add_holders_to(std::size_t group, const UsageHolderDay& day, std::int64_t hours);
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
  std::unordered_map<std::string, std::size_t> holder_groups_;  // by user or host
  std::unordered_map<std::size_t, Cell> cells_;                 // by group * periods + period
  std::unordered_set<std::string> names_;
  // The license hours of one time, by group, until a later one comes.
  std::int64_t buffered_ms_ = 0;
  std::map<std::size_t, std::vector<UsageLicenseHour>> buffered_;
  // add_holder_days()'s work space, kept for its capacity.
  struct HolderPart {
    std::int64_t hour_ms;
    const UsageHolderDay* day;
    const UsageHolderHour* use;
  };
  std::vector<std::pair<std::size_t, std::size_t>> day_order_;  // (group, index in days)
  std::vector<HolderPart> parts_;
  std::vector<UsageChange> changes_;
};

}  // namespace lmp::domain
