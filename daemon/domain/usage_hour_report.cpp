// Merging license (or holder) hours into report rows: sums for unit-milliseconds and checkouts, a
// replay of one hour's changes of all the group's licenses (or holders) in the order written for
// the peak, and sets of interned names for the distinct users and hosts.
#include "domain/usage_hour_report.hpp"

#include <algorithm>

#include "domain/domain_error.hpp"

namespace lmp::domain {

bool usage_group_by_holder(UsageGroup group) {
  return group == UsageGroup::user || group == UsageGroup::host;
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

std::size_t UsageHourReport::group_index(const UsageKey& key) {
  auto [found, added] = groups_.try_emplace(key, keys_.size());
  if (added) keys_.push_back(key);
  return found->second;
}

std::size_t UsageHourReport::holder_group(const std::string& user, const std::string& host) {
  const std::string& name = group_ == UsageGroup::user ? user : host;
  auto known = holder_groups_.find(name);
  if (known != holder_groups_.end()) return known->second;
  UsageKey key;
  (group_ == UsageGroup::user ? key.user : key.host) = name;
  const std::size_t index = group_index(key);
  holder_groups_.emplace(name, index);
  return index;
}

std::size_t UsageHourReport::group_of(std::int64_t license_id, const UsageKey& license_key) {
  if (usage_group_by_holder(group_)) return holder_group(license_key.user, license_key.host);
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
  const std::size_t index = group_index(key);
  license_groups_.emplace(license_id, index);
  return index;
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
  key.user = day.user;
  key.host = day.host;
  add_holders_to(group_of(day.license_id, key), day, hours);
}

void UsageHourReport::add_holders_to(std::size_t group, const UsageHolderDay& day,
                                     std::int64_t hours) {
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

void UsageHourReport::add_holder_days(std::span<const UsageHolderDay> days, std::int64_t hours) {
  day_order_.clear();
  for (std::size_t i = 0; i < days.size(); ++i) {
    const std::size_t group = holder_group(days[i].user, days[i].host);
    add_holders_to(group, days[i], hours);
    day_order_.emplace_back(group, i);
  }
  // A group's holder days together: its hours' peaks need only its own.
  std::sort(day_order_.begin(), day_order_.end());
  for (std::size_t run = 0; run < day_order_.size();) {
    const std::size_t group = day_order_[run].first;
    std::size_t end = run;
    parts_.clear();
    // The cell of the last period seen: a day's hours are mostly in one period.
    std::size_t period = period_starts_.size();
    Cell* c = nullptr;
    auto cell_of = [&](std::int64_t hour_ms) -> Cell& {
      const std::size_t of = period_of(hour_ms);
      if (of != period) {
        period = of;
        c = &cell(group, of);
      }
      return *c;
    };
    for (; end < day_order_.size() && day_order_[end].first == group; ++end) {
      const UsageHolderDay& day = days[day_order_[end].second];
      for (const auto& use : day.use) {
        if (((hours >> use.hour) & 1) == 0) continue;
        const std::int64_t hour_ms = day.day_ms + use.hour * kUsageHourMs;
        Cell& at = cell_of(hour_ms);
        at.unit_ms += use.unit_ms;
        at.checkouts += use.checkouts;
        parts_.push_back({hour_ms, &day, &use});
      }
    }
    if (end - run > 1)
      std::stable_sort(parts_.begin(), parts_.end(), [](const HolderPart& a, const HolderPart& b) {
        return a.hour_ms < b.hour_ms;
      });
    for (std::size_t p = 0; p < parts_.size();) {
      std::size_t q = p + 1;
      while (q < parts_.size() && parts_[q].hour_ms == parts_[p].hour_ms) ++q;
      // As add() takes an hour: at from_ms without what was carried into it (its own changes),
      // elsewhere with it (the stored peak, when the group has one holder in the hour).
      const bool own = parts_[p].hour_ms == from_ms_;
      std::int64_t peak = parts_[p].use->peak_units;
      if (own || q > p + 1) {
        const auto other_way = own ? UsageChange::Way::carried : UsageChange::Way::own;
        std::int64_t start = 0;
        changes_.clear();
        for (std::size_t k = p; k < q; ++k) {
          const UsageHolderHour& use = *parts_[k].use;
          start += use.start_units - (own ? use.carried_units : 0);
          for (std::uint32_t i = use.changes_begin; i < use.changes_end; ++i)
            if (parts_[k].day->changes[i].way != other_way)
              changes_.push_back(parts_[k].day->changes[i]);
        }
        peak = merged_peak(start, changes_);
      }
      Cell& at = cell_of(parts_[p].hour_ms);
      at.peak_units = std::max(at.peak_units, peak);
      p = q;
    }
    run = end;
  }
}

std::int64_t UsageHourReport::merged_peak(std::int64_t start_units,
                                          std::vector<UsageChange>& changes) {
  std::sort(changes.begin(), changes.end(), [](const UsageChange& a, const UsageChange& b) {
    return a.at_ms != b.at_ms ? a.at_ms < b.at_ms : a.seq < b.seq;
  });
  std::int64_t in_use = start_units;
  std::int64_t peak = in_use;
  for (const auto& change : changes) {
    in_use += change.delta;
    peak = std::max(peak, in_use);
  }
  return peak;
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
      std::int64_t start_units = 0;
      changes.clear();
      for (const auto& hour : hours) {
        start_units += hour.start_units;
        changes.insert(changes.end(), hour.changes.begin(), hour.changes.end());
      }
      peak = merged_peak(start_units, changes);
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
