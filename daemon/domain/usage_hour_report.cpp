// Merging license hours into report rows: sums for unit-milliseconds and checkouts, a replay of
// one hour's changes of all the group's licenses in the order written for the peak, and sets of
// interned names for the distinct users and hosts.
#include "domain/usage_hour_report.hpp"

#include <algorithm>

#include "domain/domain_error.hpp"

namespace lmp::domain {

bool usage_group_rolls_up(UsageGroup group) {
  return group == UsageGroup::license || group == UsageGroup::product ||
         group == UsageGroup::customer || group == UsageGroup::partner;
}

UsageHourReport::UsageHourReport(UsageGroup group, UsagePeriod period, std::int64_t from_ms,
                                 std::int64_t to_ms, std::int64_t end_ms, std::size_t max_rows)
    : group_(group),
      from_ms_(from_ms),
      end_ms_(std::clamp(end_ms, from_ms, to_ms)),
      max_rows_(max_rows) {
  for (std::int64_t at = from_ms; at < to_ms;
       at = std::min(usage_period_end(period, at, to_ms), to_ms))
    period_starts_.push_back(at);
  period_starts_.push_back(to_ms);
}

std::size_t UsageHourReport::group_of(std::int64_t license_id, const UsageKey& license_key) {
  auto known = license_groups_.find(license_id);
  if (known != license_groups_.end()) return known->second;
  UsageKey key;
  switch (group_) {
    case UsageGroup::license:
      key = license_key;
      break;
    case UsageGroup::product:
      key.product = license_key.product;
      break;
    case UsageGroup::customer:
      key.customer_id = license_key.customer_id;
      key.account_id = license_key.account_id;
      break;
    case UsageGroup::partner:
    case UsageGroup::user:
    case UsageGroup::host:
      key.account_id = license_key.account_id;
      break;
  }
  auto [found, added] = groups_.try_emplace(key, keys_.size());
  if (added) keys_.push_back(key);
  license_groups_.emplace(license_id, found->second);
  return found->second;
}

std::size_t UsageHourReport::period_of(std::int64_t at_ms) const {
  const auto after = std::upper_bound(period_starts_.begin(), period_starts_.end() - 1, at_ms);
  return static_cast<std::size_t>(after - period_starts_.begin()) - 1;
}

UsageHourReport::Cell& UsageHourReport::cell(std::size_t group, std::size_t period) {
  return cells_[group * period_starts_.size() + period];
}

const std::string* UsageHourReport::intern(const std::string& name) {
  return name.empty() ? nullptr : &*names_.insert(name).first;
}

void UsageHourReport::add_holder(Cell& cell, const std::string* user, const std::string* host) {
  if (user != nullptr) cell.users.push_back(user);
  if (host != nullptr) cell.hosts.push_back(host);
}

void UsageHourReport::add(const UsageLicenseHour& hour) {
  const bool own = hour.from_ms == from_ms_;  // the report starts here: nothing carried in
  const auto other_way = own ? UsageChange::Way::carried : UsageChange::Way::own;
  const bool two_ways =
      hour.carried_units != 0 || !hour.carried_holders.empty() ||
      std::any_of(hour.changes.begin(), hour.changes.end(),
                  [](const UsageChange& change) { return change.way != UsageChange::Way::both; });
  if (!two_ways) {
    add_own(hour, true);
    return;
  }
  UsageLicenseHour taken = hour;
  std::erase_if(taken.changes, [&](const UsageChange& change) { return change.way == other_way; });
  if (!own) {
    add_own(taken, true);
    return;
  }
  taken.start_units -= taken.carried_units;
  taken.carried_units = 0;
  std::int64_t in_use = taken.peak_units = taken.start_units;
  for (const auto& change : taken.changes) {
    in_use += change.delta;
    taken.peak_units = std::max(taken.peak_units, in_use);
  }
  add_own(taken, false);
}

void UsageHourReport::add_own(const UsageLicenseHour& hour, bool with_carried) {
  if (hour.from_ms != buffered_ms_) flush_hour();
  buffered_ms_ = hour.from_ms;
  const std::size_t group = group_of(*hour.key.license_id, hour.key);
  Cell& c = cell(group, period_of(hour.from_ms));
  c.unit_ms += hour.unit_ms;
  c.checkouts += hour.checkouts;
  for (const auto& [user, host] : hour.holders) add_holder(c, intern(user), intern(host));
  if (with_carried)
    for (const auto& [user, host] : hour.carried_holders) add_holder(c, intern(user), intern(host));
  buffered_[group].push_back(hour);
}

void UsageHourReport::add_holders(const UsageHolderDay& day, std::int64_t hours) {
  UsageKey key;
  key.license_id = day.license_id;
  key.product = day.product;
  key.customer_id = day.customer_id;
  key.account_id = day.account_id;
  const std::size_t group = group_of(day.license_id, key);
  // A report starting on one of the day's hours leaves out what was carried into that hour.
  std::int64_t own_only = 0;
  if (from_ms_ >= day.day_ms && from_ms_ < day.day_ms + 24 * kUsageHourMs &&
      (from_ms_ - day.day_ms) % kUsageHourMs == 0)
    own_only = std::int64_t{1} << ((from_ms_ - day.day_ms) / kUsageHourMs);
  const std::int64_t present = ((day.hours | day.carried_hours) & ~own_only) | day.hours;
  const std::string* user = intern(day.user);
  const std::string* host = intern(day.host);
  std::size_t last_period = period_starts_.size();
  for (std::uint64_t bits = static_cast<std::uint64_t>(present & hours); bits != 0;
       bits &= bits - 1) {
    const int h = __builtin_ctzll(bits);
    const std::size_t period = period_of(day.day_ms + h * kUsageHourMs);
    if (period == last_period) continue;  // the same period as the hour before: counted
    last_period = period;
    add_holder(cell(group, period), user, host);
  }
}

void UsageHourReport::flush_hour() {
  if (buffered_.empty()) return;
  const std::size_t period = period_of(buffered_ms_);
  std::vector<UsageChange> changes;
  for (auto& [group, hours] : buffered_) {
    std::int64_t peak = 0;
    if (hours.size() == 1) {
      peak = hours.front().peak_units;
    } else {
      // Several licenses: their changes together in the order written, from what all held at
      // the hour's start.
      std::int64_t in_use = 0;
      changes.clear();
      for (const auto& hour : hours) {
        in_use += hour.start_units;
        changes.insert(changes.end(), hour.changes.begin(), hour.changes.end());
      }
      std::sort(changes.begin(), changes.end(), [](const UsageChange& a, const UsageChange& b) {
        return a.at_ms != b.at_ms ? a.at_ms < b.at_ms : a.seq < b.seq;
      });
      peak = in_use;
      for (const auto& change : changes) {
        in_use += change.delta;
        peak = std::max(peak, in_use);
      }
    }
    Cell& c = cell(group, period);
    c.peak_units = std::max(c.peak_units, peak);
  }
  buffered_.clear();
}

namespace {

std::int64_t distinct(std::vector<const std::string*>& names) {
  std::sort(names.begin(), names.end());
  return std::unique(names.begin(), names.end()) - names.begin();
}

}  // namespace

std::vector<UsageRow> UsageHourReport::finish() {
  flush_hour();
  const std::size_t periods = period_starts_.size();
  std::vector<UsageRow> rows;
  for (auto& [index, c] : cells_) {
    if (c.peak_units <= 0 && c.checkouts <= 0 && c.unit_ms <= 0) continue;
    if (rows.size() >= max_rows_)
      throw bad_request("the report has more than " + std::to_string(max_rows_) +
                        " rows; narrow its range, period or filters");
    const std::size_t period = index % periods;
    UsageRow row;
    row.key = keys_[index / periods];
    row.from_ms = period_starts_[period];
    row.to_ms = std::max(row.from_ms, std::min(period_starts_[period + 1], end_ms_));
    row.peak_units = c.peak_units;
    row.unit_ms = c.unit_ms;
    row.checkouts = c.checkouts;
    row.users = distinct(c.users);
    row.hosts = distinct(c.hosts);
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const UsageRow& a, const UsageRow& b) {
    return a.key != b.key ? a.key < b.key : a.from_ms < b.from_ms;
  });
  return rows;
}

}  // namespace lmp::domain
