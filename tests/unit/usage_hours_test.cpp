// The hourly roll-up rule against the usage report rule: random scenarios of several licenses
// (leases held across hours, ended at an hour's boundary, several changes at one moment, reused
// leases, events that change no units), cut into stretches at random hours, each built on its
// own from the leases in use at its start, merged: the same rows as one replay of the records,
// for every group, every period and ranges on and off the hours. The user and host groups merge
// holders' own hours, those of whole hours as holder days (as the roll-ups store them).
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "domain/usage_hour_report.hpp"
#include "domain/usage_hours.hpp"
#include "domain/usage_report.hpp"
#include "support/sanitized_build.hpp"

namespace lmp::domain {
namespace {

constexpr std::int64_t kHour = kUsageHourMs;
constexpr std::int64_t kJan31 = 1'769'817'600'000;  // 2026-01-31T00:00:00Z: a month ends in it

struct Scenario {
  std::vector<UsageRecord> records;  // in the order written
  std::vector<UsageRecord> held;     // leases never ended, as records of their checkout
};

std::string name(const char* prefix, int n) {
  return std::string(prefix) + std::to_string(n);
}

Scenario generate(std::mt19937& random, std::int64_t start, std::int64_t hours) {
  Scenario s;
  std::map<std::string, UsageRecord> open;
  std::int64_t at = start;
  int next_lease = 0;
  const std::int64_t end = start + hours * kHour;
  while (at < end) {
    // Often several records at one moment, often on an hour's boundary.
    const int pick = static_cast<int>(random() % 10);
    if (pick < 4)
      at += static_cast<std::int64_t>(random() % (40 * 60'000));
    else if (pick == 4)
      at = (at / kHour + 1) * kHour;
    if (at >= end) break;
    const int what = static_cast<int>(random() % 10);
    if (what < 4 || open.empty()) {
      UsageRecord r;
      r.at_ms = at;
      r.event = usage_event::kCheckout;
      r.license_id = 1 + static_cast<std::int64_t>(random() % 4);
      r.product_code = r.license_id <= 3 ? "cad" : "cam";
      r.customer_id = r.license_id <= 2 ? 7 : 8;
      r.account_id = r.customer_id == 7 ? std::optional<std::int64_t>(2) : std::nullopt;
      r.scope = r.account_id ? "/1/2/c7/" : "/c8/";
      r.units = 1 + static_cast<std::int64_t>(random() % 3);
      const int user = static_cast<int>(random() % 6);
      r.user = user == 5 ? "" : name("user", user);
      r.host = user == 4 ? "" : name("host", user % 4);
      r.lease_ref = name("lease", next_lease++);
      open.emplace(r.lease_ref, r);
      s.records.push_back(r);
    } else if (what < 5) {
      // A repeated checkout of a held lease.
      auto it = std::next(open.begin(), static_cast<long>(random() % open.size()));
      UsageRecord r = it->second;
      r.at_ms = at;
      r.event = usage_event::kReused;
      s.records.push_back(r);
    } else if (what < 6) {
      // An event that is no change of units (a denial): only the clock.
      UsageRecord r = open.begin()->second;
      r.at_ms = at;
      r.event = "denial";
      r.lease_ref.clear();
      s.records.push_back(r);
    } else {
      auto it = std::next(open.begin(), static_cast<long>(random() % open.size()));
      UsageRecord r = it->second;
      r.since_ms = r.at_ms;
      r.at_ms = at;
      const std::string_view ends[] = {usage_event::kCheckin, usage_event::kReclaim,
                                       usage_event::kRelease};
      r.event = ends[random() % 3];
      s.records.push_back(r);
      open.erase(it);
    }
  }
  for (const auto& [ref, r] : open) s.held.push_back(r);
  return s;
}

// What each_in_use_at() gives at `at`: the ending records of leases checked out before it that
// ended after it (or at it, when `carried`), then the leases still held checked out before it.
template <class Visit>
void in_use_at(const Scenario& s, std::int64_t at, Visit visit, bool carried = false) {
  for (const auto& r : s.records)
    if ((r.at_ms > at || (carried && r.at_ms == at)) && r.since_ms && *r.since_ms < at) visit(r);
  for (const auto& r : s.held)
    if (r.at_ms < at) visit(r);
}

std::vector<UsageRow> reference(const Scenario& s, UsageGroup group, UsagePeriod period,
                                std::int64_t from, std::int64_t to, std::int64_t now) {
  UsageReportBuilder report(group, period, from, to, now, 100'000);
  in_use_at(s, from, [&](const UsageRecord& r) { report.in_use_at_start(r); });
  for (const auto& r : s.records)
    if (r.at_ms >= from && r.at_ms < to) report.add(r);
  return report.finish();
}

// A holder's hour as a holder day keeps it (storage/sql_usage_rollup_repository.cpp).
void keep_in_day(const UsageLicenseHour& hour, UsageHolderDay& day) {
  const int h = static_cast<int>((hour.from_ms - day.day_ms) / kHour);
  (hour.holders.empty() ? day.carried_hours : day.hours) |= std::int64_t{1} << h;
  UsageHolderHour use;
  use.hour = h;
  use.start_units = hour.start_units;
  use.carried_units = hour.carried_units;
  use.peak_units = hour.peak_units;
  use.unit_ms = hour.unit_ms;
  use.checkouts = hour.checkouts;
  use.changes_begin = static_cast<std::uint32_t>(day.changes.size());
  day.changes.insert(day.changes.end(), hour.changes.begin(), hour.changes.end());
  use.changes_end = static_cast<std::uint32_t>(day.changes.size());
  day.use.push_back(use);
}

// The hours of [from, to) built as stretches cut at `cuts` (hours), merged: a stretch starting on
// a cut as the roll-up of an hour is built (carried), one starting at `from` off the cuts as the
// report replays its first stretch. For the user and host groups, the whole hours between cuts
// are merged as holder days, the other stretches as holder hours.
std::vector<UsageRow> merged(const Scenario& s, UsageGroup group, UsagePeriod period,
                             std::int64_t from, std::int64_t to, std::int64_t now,
                             const std::set<std::int64_t>& cuts) {
  UsageHourReport report(group, period, from, to, now, 100'000);
  const bool by_holder = usage_group_by_holder(group);
  std::vector<std::int64_t> bounds{from};
  for (auto cut : cuts)
    if (cut > from && cut < to) bounds.push_back(cut);
  bounds.push_back(to);
  // By day: the holder days and the bits of their whole hours.
  std::map<std::int64_t,
           std::map<std::tuple<std::int64_t, std::string, std::string>, UsageHolderDay>>
      days;
  std::map<std::int64_t, std::int64_t> day_bits;
  for (std::size_t i = 0; i + 1 < bounds.size(); ++i) {
    UsageHourBuilder hours(bounds[i], bounds[i + 1], now, by_holder);
    const bool carried = i > 0 || cuts.contains(from);
    in_use_at(
        s, bounds[i], [&](const UsageRecord& r) { hours.in_use_at_start(r); }, carried);
    for (const auto& r : s.records)
      if (r.at_ms >= bounds[i] && r.at_ms < bounds[i + 1]) hours.add(r);
    const bool whole = by_holder && cuts.contains(bounds[i]) && cuts.contains(bounds[i + 1]) &&
                       bounds[i + 1] - bounds[i] == kHour && bounds[i + 1] <= usage_hour_of(now);
    const std::int64_t day_ms = bounds[i] / (24 * kHour) * (24 * kHour);
    if (whole) day_bits[day_ms] |= std::int64_t{1} << ((bounds[i] - day_ms) / kHour);
    for (const auto& hour : hours.finish()) {
      if (!whole) {
        report.add(hour);
        continue;
      }
      UsageHolderDay& day = days[day_ms][{*hour.key.license_id, hour.key.user, hour.key.host}];
      day.license_id = *hour.key.license_id;
      day.product = hour.key.product;
      day.customer_id = *hour.key.customer_id;
      day.account_id = hour.key.account_id;
      day.day_ms = day_ms;
      day.user = hour.key.user;
      day.host = hour.key.host;
      keep_in_day(hour, day);
    }
  }
  for (const auto& [day_ms, holders] : days) {
    std::vector<UsageHolderDay> of_day;
    for (const auto& [key, day] : holders) of_day.push_back(day);
    report.add_holder_days(of_day, day_bits[day_ms]);
  }
  return report.finish();
}

void expect_same(const std::vector<UsageRow>& want, const std::vector<UsageRow>& got,
                 const std::string& what) {
  ASSERT_EQ(want.size(), got.size()) << what;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const auto& a = want[i];
    const auto& b = got[i];
    EXPECT_TRUE(a.key == b.key) << what << " row " << i;
    EXPECT_EQ(a.from_ms, b.from_ms) << what << " row " << i;
    EXPECT_EQ(a.to_ms, b.to_ms) << what << " row " << i;
    EXPECT_EQ(a.peak_units, b.peak_units) << what << " row " << i;
    EXPECT_EQ(a.unit_ms, b.unit_ms) << what << " row " << i;
    EXPECT_EQ(a.checkouts, b.checkouts) << what << " row " << i;
    EXPECT_EQ(a.users, b.users) << what << " row " << i;
    EXPECT_EQ(a.hosts, b.hosts) << what << " row " << i;
  }
}

// Rounds of random scenarios: fewer under the sanitizers, whose -O0 builds run this 10 times
// slower (it was 35 s of each sanitizer run).
constexpr int kReplayRounds = test::kSanitizedBuild ? 8 : 40;

TEST(UsageHours, MergedHoursGiveTheRowsOfOneReplay) {
  std::mt19937 random(16);
  int compared = 0;
  for (int round = 0; round < kReplayRounds; ++round) {
    const std::int64_t start = kJan31 - 6 * kHour;
    const Scenario s = generate(random, start, 30);
    // Cut at random hours, or at every hour (all rolled up).
    std::set<std::int64_t> cuts;
    for (std::int64_t h = start; h < start + 40 * kHour; h += kHour)
      if (round % 4 == 0 || random() % 3 == 0) cuts.insert(h);
    const std::int64_t now = start + 30 * kHour + static_cast<std::int64_t>(random() % kHour);
    const std::pair<std::int64_t, std::int64_t> ranges[] = {
        {start - kHour, now},                                 // the whole, up to now
        {start + 5 * kHour, start + 20 * kHour},              // on the hours
        {start + 5 * kHour + 1234, start + 29 * kHour - 99},  // off them
        {start + 2 * kHour, start + 40 * kHour},              // past now
    };
    for (const auto group : {UsageGroup::license, UsageGroup::product, UsageGroup::customer,
                             UsageGroup::partner, UsageGroup::user, UsageGroup::host}) {
      for (const auto period :
           {UsagePeriod::all, UsagePeriod::hour, UsagePeriod::day, UsagePeriod::month}) {
        for (const auto& [from, to] : ranges) {
          const std::string what = "round " + std::to_string(round) + " group " +
                                   std::to_string(static_cast<int>(group)) + " period " +
                                   std::to_string(static_cast<int>(period)) + " from " +
                                   std::to_string(from) + " to " + std::to_string(to);
          const auto want = reference(s, group, period, from, to, now);
          expect_same(want, merged(s, group, period, from, to, now, cuts), what);
          if (HasFailure()) return;
          compared += static_cast<int>(want.size());
        }
      }
    }
  }
  EXPECT_GT(compared, 1000);
}

TEST(UsageHours, APeakOfSeveralLicensesIsOfTheirSumNotTheSumOfTheirPeaks) {
  // Two licenses of one product, each at 2 units once in the hour, never at the same time.
  auto rec = [](std::string_view event, std::int64_t at, std::int64_t license, const char* ref) {
    UsageRecord r;
    r.event = event;
    r.at_ms = kJan31 + at;
    r.license_id = license;
    r.product_code = "cad";
    r.customer_id = 7;
    r.scope = "/c7/";
    r.units = 2;
    r.user = ref;
    r.lease_ref = ref;
    if (event != usage_event::kCheckout) r.since_ms = kJan31;
    return r;
  };
  UsageHourBuilder hours(kJan31, kJan31 + kHour, kJan31 + kHour);
  hours.add(rec(usage_event::kCheckout, 0, 1, "a"));
  hours.add(rec(usage_event::kCheckin, 1000, 1, "a"));
  hours.add(rec(usage_event::kCheckout, 1000, 2, "b"));  // at the moment a ended, after it
  hours.add(rec(usage_event::kCheckin, 2000, 2, "b"));
  UsageHourReport report(UsageGroup::product, UsagePeriod::all, kJan31, kJan31 + kHour,
                         kJan31 + kHour, 10);
  for (const auto& hour : hours.finish()) report.add(hour);
  const auto rows = report.finish();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].peak_units, 2);
  EXPECT_EQ(rows[0].unit_ms, 2 * 2000);
  EXPECT_EQ(rows[0].checkouts, 2);
  EXPECT_EQ(rows[0].users, 2);
}

TEST(UsageHours, HoldersOfStoredDaysCountOncePerPeriod) {
  UsageHourReport report(UsageGroup::customer, UsagePeriod::day, kJan31 - 24 * kHour,
                         kJan31 + 24 * kHour, kJan31 + 24 * kHour, 10);
  UsageLicenseHour hour;
  hour.key.license_id = 1;
  hour.key.product = "cad";
  hour.key.customer_id = 7;
  hour.from_ms = kJan31 + 3 * kHour;
  hour.peak_units = hour.start_units = 1;
  hour.unit_ms = kHour;
  report.add(hour);
  UsageHolderDay day;
  day.license_id = 1;
  day.product = "cad";
  day.customer_id = 7;
  day.day_ms = kJan31;
  day.hours = 0b1110;  // hours 1 to 3
  day.user = "ann";
  day.host = "ws";
  report.add_holders(day, 0b0110);  // only hours 1 and 2 rolled up
  day.user = "bob";
  day.hours = 0b10000;  // hour 4: not rolled up, not counted
  report.add_holders(day, 0b0110);
  const auto rows = report.finish();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].users, 1);
  EXPECT_EQ(rows[0].hosts, 1);
  EXPECT_EQ(rows[0].from_ms, kJan31);
}

}  // namespace
}  // namespace lmp::domain
