// The hourly roll-up rule: the usage report's sweep over the records (domain/usage_report.cpp),
// per license and hour, keeping each change of units so that groups of licenses can be merged.
#include "domain/usage_hours.hpp"

#include <algorithm>

namespace lmp::domain {

std::int64_t usage_hour_of(std::int64_t at_ms) {
  std::int64_t hour = at_ms / kUsageHourMs * kUsageHourMs;
  if (hour > at_ms) hour -= kUsageHourMs;  // negative times round down too
  return hour;
}

UsageHourBuilder::UsageHourBuilder(std::int64_t from_ms, std::int64_t to_ms, std::int64_t end_ms,
                                   bool by_holder)
    : from_ms_(from_ms),
      to_ms_(to_ms),
      end_ms_(std::clamp(end_ms, from_ms, to_ms)),
      hour_from_ms_(from_ms),
      hour_to_ms_(std::min(usage_hour_of(from_ms) + kUsageHourMs, to_ms)),
      by_holder_(by_holder) {}

UsageHourBuilder::LicenseState& UsageHourBuilder::license_of(const UsageRecord& record) {
  auto [found, created] =
      by_holder_ ? licenses_.try_emplace({record.license_id, record.user, record.host})
                 : licenses_.try_emplace({record.license_id, std::string(), std::string()});
  LicenseState& state = found->second;
  if (created) {
    if (by_holder_) {
      state.hour.key.user = record.user;
      state.hour.key.host = record.host;
    }
    state.changed_ms = hour_from_ms_;
    state.hour.key.license_id = record.license_id;
    state.hour.key.product = record.product_code;
    state.hour.key.customer_id = record.customer_id;
    state.hour.key.account_id = record.account_id;
    state.hour.scope = record.scope;
    state.hour.from_ms = hour_from_ms_;
  }
  return state;
}

void UsageHourBuilder::accrue(LicenseState& license, std::int64_t at_ms) {
  const std::int64_t until = std::min(at_ms, end_ms_);
  license.hour.unit_ms += license.in_use * std::max<std::int64_t>(0, until - license.changed_ms);
  license.changed_ms = std::max(license.changed_ms, until);
}

void UsageHourBuilder::in_use_at_start(const UsageRecord& lease) {
  if (open_.contains(lease.lease_ref)) return;
  LicenseState& license = license_of(lease);
  license.hour.start_units += lease.units;
  const bool carried = lease.since_ms && lease.at_ms == from_ms_;
  if (carried) license.hour.carried_units += lease.units;
  start(license, lease, from_ms_, carried);
}

void UsageHourBuilder::start(LicenseState& license, const UsageRecord& record, std::int64_t at_ms,
                             bool carried) {
  accrue(license, at_ms);
  license.in_use += record.units;
  ++license.open_leases;
  license.hour.peak_units = std::max(license.hour.peak_units, license.in_use);
  OpenLease lease{&license, record.units, {record.user, record.host}, carried, false};
  (carried ? license.hour.carried_holders : license.hour.holders).insert(lease.holder);
  open_.insert_or_assign(record.lease_ref, std::move(lease));
}

void UsageHourBuilder::add(const UsageRecord& record) {
  const std::int64_t at_ms = std::clamp(record.at_ms, from_ms_, to_ms_ - 1);
  advance_to(at_ms);
  const std::int64_t seq = ++seq_;
  const auto& event = record.event;
  if (event == usage_event::kCheckout || event == usage_event::kBorrow ||
      event == usage_event::kReused) {
    LicenseState& license = license_of(record);
    ++license.hour.checkouts;
    auto held = open_.find(record.lease_ref);
    if (event == usage_event::kReused && held != open_.end()) {
      license.hour.holders.emplace(record.user, record.host);
      // Not held to a report starting now: there, this checkout starts it anew.
      if (held->second.carried && !held->second.restarted) {
        held->second.restarted = true;
        license.hour.changes.push_back({at_ms, seq, record.units, UsageChange::Way::own});
      }
      return;
    }
    start(license, record, at_ms);
    license.hour.changes.push_back({at_ms, seq, record.units});
  } else if (event == usage_event::kCheckin || event == usage_event::kReclaim ||
             event == usage_event::kRelease || event == usage_event::kEndOfLife) {
    auto found = open_.find(record.lease_ref);
    if (found == open_.end()) return;
    LicenseState& license = *found->second.license;
    accrue(license, at_ms);
    license.in_use -= found->second.units;
    --license.open_leases;
    const auto way = found->second.carried && !found->second.restarted ? UsageChange::Way::carried
                                                                       : UsageChange::Way::both;
    license.hour.changes.push_back({at_ms, seq, -found->second.units, way});
    open_.erase(found);
  }
}

void UsageHourBuilder::advance_to(std::int64_t at_ms) {
  while (at_ms >= hour_to_ms_ && hour_to_ms_ < to_ms_) close_hour();
}

void UsageHourBuilder::close_hour() {
  const std::int64_t until = std::min(hour_to_ms_, end_ms_);
  const std::int64_t next_from = hour_to_ms_;
  for (auto it = licenses_.begin(); it != licenses_.end();) {
    LicenseState& license = it->second;
    accrue(license, until);
    UsageLicenseHour& hour = license.hour;
    for (const auto& holder : hour.holders) hour.carried_holders.erase(holder);
    if (hour.peak_units > 0 || hour.checkouts > 0 || hour.unit_ms > 0 || !hour.holders.empty() ||
        !hour.carried_holders.empty())
      hours_.push_back(hour);
    if (license.open_leases == 0) {
      it = licenses_.erase(it);
      continue;
    }
    hour.from_ms = next_from;
    hour.start_units = hour.peak_units = license.in_use;
    hour.carried_units = hour.unit_ms = hour.checkouts = 0;
    hour.changes.clear();
    hour.holders.clear();
    hour.carried_holders.clear();
    license.changed_ms = next_from;
    ++it;
  }
  for (const auto& [ref, lease] : open_) lease.license->hour.holders.insert(lease.holder);
  hour_from_ms_ = next_from;
  hour_to_ms_ = std::min(next_from + kUsageHourMs, to_ms_);
}

std::vector<UsageLicenseHour> UsageHourBuilder::finish() {
  while (hour_from_ms_ < end_ms_) close_hour();
  return std::move(hours_);
}

}  // namespace lmp::domain
