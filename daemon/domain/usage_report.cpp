// The usage report rule: a sweep over the records in the order written, integrating the units in
// use of each group and closing a row at each period boundary.
#include "domain/usage_report.hpp"

#include <algorithm>
#include <chrono>

#include "domain/domain_error.hpp"
#include "domain/usage_hours.hpp"

namespace lmp::domain {

namespace {

// The start of the next fixed-length period after `at_ms`, periods aligned on the Unix epoch.
std::int64_t next_multiple(std::int64_t at_ms, std::int64_t length) {
  std::int64_t floor = at_ms / length * length;
  if (floor > at_ms) floor -= length;  // negative times round down too
  return floor + length;
}

std::int64_t next_month(std::int64_t at_ms) {
  using namespace std::chrono;
  const auto day = floor<days>(sys_time<milliseconds>(milliseconds(at_ms)));
  const year_month_day date{day};
  const year_month_day first = (date.year() / date.month() / 1) + months(1);
  return duration_cast<milliseconds>(sys_days{first}.time_since_epoch()).count();
}

}  // namespace

std::optional<UsageGroup> usage_group_named(std::string_view name) {
  if (name == "license") return UsageGroup::license;
  if (name == "product") return UsageGroup::product;
  if (name == "customer") return UsageGroup::customer;
  if (name == "partner") return UsageGroup::partner;
  if (name == "user") return UsageGroup::user;
  if (name == "host") return UsageGroup::host;
  return std::nullopt;
}

std::optional<UsagePeriod> usage_period_named(std::string_view name) {
  if (name == "all") return UsagePeriod::all;
  if (name == "hour") return UsagePeriod::hour;
  if (name == "day") return UsagePeriod::day;
  if (name == "month") return UsagePeriod::month;
  return std::nullopt;
}

UsageReportBuilder::UsageReportBuilder(UsageGroup group, UsagePeriod period, std::int64_t from_ms,
                                       std::int64_t to_ms, std::int64_t end_ms,
                                       std::size_t max_rows)
    : group_(group),
      period_(period),
      from_ms_(from_ms),
      to_ms_(to_ms),
      end_ms_(std::clamp(end_ms, from_ms, to_ms)),
      max_rows_(max_rows),
      period_from_ms_(from_ms),
      period_to_ms_(std::min(period_end(from_ms), to_ms)) {}

std::int64_t usage_period_end(UsagePeriod period, std::int64_t start_ms, std::int64_t to_ms) {
  switch (period) {
    case UsagePeriod::all:
      return to_ms;
    case UsagePeriod::hour:
      return next_multiple(start_ms, kUsageHourMs);
    case UsagePeriod::day:
      return next_multiple(start_ms, kUsageDayMs);
    case UsagePeriod::month:
      return next_month(start_ms);
  }
  return to_ms;
}

std::int64_t UsageReportBuilder::period_end(std::int64_t start_ms) const {
  return usage_period_end(period_, start_ms, to_ms_);
}

std::int64_t UsageReportBuilder::period_count(UsagePeriod period, std::int64_t from_ms,
                                              std::int64_t to_ms) {
  if (to_ms <= from_ms) return 0;
  switch (period) {
    case UsagePeriod::all:
      return 1;
    case UsagePeriod::hour:
      return (next_multiple(to_ms - 1, kUsageHourMs) - next_multiple(from_ms, kUsageHourMs)) /
                 kUsageHourMs +
             1;
    case UsagePeriod::day:
      return (next_multiple(to_ms - 1, kUsageDayMs) - next_multiple(from_ms, kUsageDayMs)) /
                 kUsageDayMs +
             1;
    case UsagePeriod::month: {
      std::int64_t count = 0;
      for (std::int64_t at = from_ms; at < to_ms; at = next_month(at)) ++count;
      return count;
    }
  }
  return 0;
}

UsageKey UsageReportBuilder::key_of(const UsageRecord& record) const {
  UsageKey key;
  switch (group_) {
    case UsageGroup::license:
      key.license_id = record.license_id;
      key.product = record.product_code;
      key.customer_id = record.customer_id;
      key.account_id = record.account_id;
      break;
    case UsageGroup::product:
      key.product = record.product_code;
      break;
    case UsageGroup::customer:
      key.customer_id = record.customer_id;
      key.account_id = record.account_id;
      break;
    case UsageGroup::partner:
      key.account_id = record.account_id;
      break;
    case UsageGroup::user:
      key.user = record.user;
      break;
    case UsageGroup::host:
      key.host = record.host;
      break;
  }
  return key;
}

UsageReportBuilder::GroupState& UsageReportBuilder::group_of(const UsageRecord& record) {
  auto key = key_of(record);
  auto found = groups_.find(key);
  if (found != groups_.end()) return found->second;
  GroupState state;
  state.changed_ms = period_from_ms_;
  state.row.key = key;
  state.row.from_ms = period_from_ms_;
  return groups_.emplace(std::move(key), std::move(state)).first->second;
}

void UsageReportBuilder::in_use_at_start(const UsageRecord& lease) {
  if (open_.contains(lease.lease_ref)) return;
  start(group_of(lease), lease, from_ms_);
}

const std::string* UsageReportBuilder::intern(const std::string& name) {
  if (name.empty()) return nullptr;
  return &*names_.insert(name).first;
}

void UsageReportBuilder::add_holder(GroupState& group, const OpenLease& lease) {
  if (lease.user != nullptr) group.users.insert(lease.user);
  if (lease.host != nullptr) group.hosts.insert(lease.host);
}

void UsageReportBuilder::add(const UsageRecord& record) {
  const std::int64_t at_ms = std::clamp(record.at_ms, from_ms_, to_ms_ - 1);
  advance_to(at_ms);
  const auto& event = record.event;
  if (event == usage_event::kCheckout || event == usage_event::kBorrow ||
      event == usage_event::kReused) {
    auto& group = group_of(record);
    ++group.row.checkouts;
    // A repeated checkout of a lease already counted changes no units.
    if (event == usage_event::kReused && open_.contains(record.lease_ref)) {
      add_holder(group, {&group, 0, intern(record.user), intern(record.host)});
      return;
    }
    start(group, record, at_ms);
  } else if (event == usage_event::kCheckin || event == usage_event::kReclaim ||
             event == usage_event::kRelease || event == usage_event::kEndOfLife) {
    auto found = open_.find(record.lease_ref);
    // A lease neither checked out in the range nor in use at its start: nothing to end.
    if (found == open_.end()) return;
    GroupState& group = *found->second.group;
    const std::int64_t until = std::min(at_ms, end_ms_);
    group.row.unit_ms += group.in_use * std::max<std::int64_t>(0, until - group.changed_ms);
    group.changed_ms = std::max(group.changed_ms, until);
    group.in_use -= found->second.units;
    --group.open_leases;
    open_.erase(found);
  }
}

void UsageReportBuilder::start(GroupState& group, const UsageRecord& record, std::int64_t at_ms) {
  const std::int64_t until = std::min(at_ms, end_ms_);
  group.row.unit_ms += group.in_use * std::max<std::int64_t>(0, until - group.changed_ms);
  group.changed_ms = std::max(group.changed_ms, until);
  group.in_use += record.units;
  ++group.open_leases;
  group.row.peak_units = std::max(group.row.peak_units, group.in_use);
  const OpenLease lease{&group, record.units, intern(record.user), intern(record.host)};
  add_holder(group, lease);
  open_.insert_or_assign(record.lease_ref, lease);
}

void UsageReportBuilder::advance_to(std::int64_t at_ms) {
  while (at_ms >= period_to_ms_ && period_to_ms_ < to_ms_) close_period();
}

void UsageReportBuilder::close_period() {
  const std::int64_t until = std::min(period_to_ms_, end_ms_);
  const std::int64_t next_from = period_to_ms_;
  const std::int64_t next_to = std::min(period_end(next_from), to_ms_);
  for (auto it = groups_.begin(); it != groups_.end();) {
    GroupState& group = it->second;
    UsageRow& row = group.row;
    row.unit_ms += group.in_use * std::max<std::int64_t>(0, until - group.changed_ms);
    row.to_ms = std::max(row.from_ms, until);
    row.users = static_cast<std::int64_t>(group.users.size());
    row.hosts = static_cast<std::int64_t>(group.hosts.size());
    if (row.peak_units > 0 || row.checkouts > 0 || row.unit_ms > 0) {
      if (rows_.size() >= max_rows_)
        throw bad_request("the report has more than " + std::to_string(max_rows_) +
                          " rows; narrow its range, period or filters");
      rows_.push_back(row);
    }
    if (group.open_leases == 0) {
      // Nothing holds it into the next period: it starts afresh if a record names it again.
      it = groups_.erase(it);
      continue;
    }
    row = UsageRow{row.key, next_from, next_to, group.in_use, 0, 0, 0, 0};
    group.changed_ms = next_from;
    group.users.clear();
    group.hosts.clear();
    ++it;
  }
  // Whoever holds units into the next period is one of its users.
  for (const auto& [ref, lease] : open_) add_holder(*lease.group, lease);
  period_from_ms_ = next_from;
  period_to_ms_ = next_to;
}

std::vector<UsageRow> UsageReportBuilder::finish() {
  // Periods after end_ms (the future) have no use to show.
  while (period_from_ms_ < end_ms_) close_period();
  std::stable_sort(rows_.begin(), rows_.end(),
                   [](const UsageRow& a, const UsageRow& b) { return a.key < b.key; });
  return std::move(rows_);
}

}  // namespace lmp::domain
