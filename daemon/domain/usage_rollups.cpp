// The roll-up sweep and the report merged from roll-ups: a report reads each rolled-up hour's
// license hours and the holders of its days (for the user and host groups the holders' own
// hours kept with their days), and replays the records of every other stretch of
// its range exactly as the reference does, per license hour, so that both merge alike.
#include "domain/usage_rollups.hpp"

#include <algorithm>
#include <initializer_list>
#include <map>
#include <span>

#include "domain/usage_hour_report.hpp"
#include "domain/usage_hours.hpp"
#include "domain/usage_rollup_repository.hpp"

namespace lmp::domain {

namespace {

std::int64_t day_of(std::int64_t at_ms) {
  std::int64_t day = at_ms / kUsageDayMs * kUsageDayMs;
  if (day > at_ms) day -= kUsageDayMs;
  return day;
}

// Feeds `builders` the leases in use at from_ms and the records of [from_ms, to_ms); `carried`
// for a stretch that is not the start of the report (a roll-up never is). Returns the records.
std::int64_t replay(UnitOfWork& db, const UsageFilter& filter, std::int64_t from_ms,
                    std::int64_t to_ms, bool carried,
                    std::initializer_list<UsageHourBuilder*> builders) {
  std::int64_t records = 0;
  each_in_use_at(
      db, filter, from_ms,
      [&](const UsageRecord& r) {
        for (auto* builder : builders) builder->in_use_at_start(r);
      },
      carried);
  db.usage().each_in_range(filter, from_ms, to_ms, [&](const UsageRecord& r) {
    ++records;
    for (auto* builder : builders) builder->add(r);
  });
  return records;
}

}  // namespace

std::vector<UsageRow> usage_report_rolled(const Context& ctx, const CheckedUsageQuery& query) {
  const UsageFilter& filter = *query.filter;
  const std::int64_t end_ms = std::clamp(ctx.now_ms, query.from_ms, query.to_ms);
  UsageHourReport report(query.group, query.period, query.from_ms, query.to_ms, ctx.now_ms,
                         kMaxUsageRows);
  // The whole hours of the range, up to now, rolled up and not stale.
  const std::int64_t first = usage_hour_of(query.from_ms - 1) + kUsageHourMs;
  const std::int64_t last = usage_hour_of(end_ms);
  std::vector<std::int64_t> rolled;
  if (first < last)
    for (const auto& hour : ctx.db.usage_rollups().rolled_hours(first, last))
      if (hour.records >= 0) rolled.push_back(hour.hour_ms);

  // Every other stretch from the records.
  std::int64_t cursor = query.from_ms;
  const bool by_holder = usage_group_by_holder(query.group);
  auto replay_until = [&](std::int64_t until) {
    if (cursor >= until) return;
    UsageHourBuilder builder(cursor, until, ctx.now_ms, by_holder);
    replay(ctx.db, filter, cursor, until, cursor != query.from_ms, {&builder});
    for (const auto& hour : builder.finish()) report.add(hour);
  };
  for (const std::int64_t hour : rolled) {
    replay_until(hour);
    cursor = hour + kUsageHourMs;
  }
  replay_until(query.to_ms);
  if (rolled.empty()) return report.finish();

  std::map<std::int64_t, std::int64_t> day_hours;  // per day, the bits of its rolled hours
  for (const std::int64_t hour : rolled)
    day_hours[day_of(hour)] |= std::int64_t{1} << ((hour - day_of(hour)) / kUsageHourMs);
  auto& rollups = ctx.db.usage_rollups();
  if (by_holder) {
    // The holders' own hours, a day at a time.
    std::vector<UsageHolderDay> days;
    std::size_t count = 0;
    std::int64_t day_ms = 0;
    auto flush = [&] {
      const auto day = day_hours.find(day_ms);
      if (count > 0 && day != day_hours.end())
        report.add_holder_days(std::span(days.data(), count), day->second);
      count = 0;
    };
    rollups.each_holder_day(filter, rolled.front(), rolled.back() + kUsageHourMs, true,
                            [&](const UsageHolderDay& holders) {
                              if (holders.day_ms != day_ms) flush();
                              day_ms = holders.day_ms;
                              // Assigned over a kept element: its vectors keep their capacity.
                              if (count == days.size()) days.emplace_back();
                              days[count++] = holders;
                            });
    flush();
    return report.finish();
  }
  // One license per group: its hours' own peaks are the group's, no change is replayed.
  const bool changes = query.group != UsageGroup::license;
  rollups.each_hour(filter, rolled.front(), rolled.back() + kUsageHourMs, changes,
                    [&](const UsageLicenseHour& hour) {
                      const auto day = day_hours.find(day_of(hour.from_ms));
                      const std::int64_t bit =
                          std::int64_t{1} << ((hour.from_ms - day_of(hour.from_ms)) / kUsageHourMs);
                      if (day != day_hours.end() && (day->second & bit) != 0) report.add(hour);
                    });
  rollups.each_holder_day(filter, rolled.front(), rolled.back() + kUsageHourMs, false,
                          [&](const UsageHolderDay& holders) {
                            const auto day = day_hours.find(holders.day_ms);
                            if (day != day_hours.end()) report.add_holders(holders, day->second);
                          });
  return report.finish();
}

bool UsageRollupSweep::roll_up(UnitOfWork& db, std::int64_t hour_ms) {
  const std::int64_t end = hour_ms + kUsageHourMs;
  std::int64_t records = 0;
  std::vector<UsageLicenseHour> hours;
  std::vector<UsageLicenseHour> holder_hours;
  {
    Transaction read(db, TransactionMode::read);
    UsageHourBuilder licenses(hour_ms, end, end);
    UsageHourBuilder holders(hour_ms, end, end, true);
    records = replay(db, UsageFilter{}, hour_ms, end, true, {&licenses, &holders});
    hours = licenses.finish();
    holder_hours = holders.finish();
    read.commit();
  }
  Transaction write(db, TransactionMode::write);
  std::int64_t now_records = 0;
  for (const auto& hour : db.usage_rollups().record_counts(hour_ms, end))
    now_records += hour.records;
  if (now_records != records) return false;
  db.usage_rollups().store_hour(hour_ms, records, hours, holder_hours);
  write.commit();
  return true;
}

void UsageRollupSweep::check_late(UnitOfWork& db, std::int64_t closed_ms) {
  const std::int64_t from = closed_ms - kLateWindowMs;
  std::optional<std::int64_t> stale;
  {
    Transaction read(db, TransactionMode::read);
    auto& rollups = db.usage_rollups();
    std::map<std::int64_t, std::int64_t> counted;
    for (const auto& hour : rollups.record_counts(from, closed_ms))
      counted[hour.hour_ms] = hour.records;
    for (const auto& hour : rollups.rolled_hours(from, closed_ms)) {
      const auto found = counted.find(hour.hour_ms);
      if (hour.records >= 0 && (found == counted.end() ? 0 : found->second) != hour.records) {
        stale = hour.hour_ms;
        break;
      }
    }
    read.commit();
  }
  if (!stale) return;
  // Every later hour too: a lease of a late record may have been held into them.
  Transaction write(db, TransactionMode::write);
  db.usage_rollups().mark_stale_from(*stale);
  write.commit();
}

int UsageRollupSweep::run(UnitOfWork& db, std::int64_t now_ms, int max_hours) {
  const std::int64_t closed = usage_hour_of(now_ms - kClosedAfterMs);
  if (now_ms >= next_check_ms_) {
    check_late(db, closed);
    Transaction write(db, TransactionMode::write);
    db.usage_rollups().prune_before(usage_hour_of(now_ms - retention_ms_));
    write.commit();
    next_check_ms_ = now_ms + kLateCheckEveryMs;
  }
  int rolled = 0;
  while (rolled < max_hours) {
    std::optional<std::int64_t> next;
    {
      Transaction read(db, TransactionMode::read);
      auto& rollups = db.usage_rollups();
      next = rollups.oldest_stale_hour();
      if (!next) {
        if (auto latest = rollups.latest_hour())
          next = *latest + kUsageHourMs;
        else if (auto oldest = rollups.oldest_record_ms())
          next = usage_hour_of(*oldest);
      }
      read.commit();
    }
    if (!next || *next >= closed) break;
    if (!roll_up(db, *next)) break;
    ++rolled;
  }
  return rolled;
}

}  // namespace lmp::domain
