// The usage report rule: exact peaks, unit-hours, a lease spanning the range's start or end
// clipped to it, periods (hour, day, month) carrying what is held across their boundaries, and
// the groups.
#include <gtest/gtest.h>

#include "domain/domain_error.hpp"
#include "domain/usage_report.hpp"

namespace lmp::domain {
namespace {

constexpr std::int64_t kReportHour = 3'600'000;
constexpr std::int64_t kReportDay = 24 * kReportHour;
// 2026-01-01T00:00:00Z
constexpr std::int64_t kJan1 = 1'767'225'600'000;

UsageRecord rec(std::string_view event, std::int64_t at_ms, const std::string& ref,
                std::int64_t units, const std::string& user,
                std::optional<std::int64_t> since_ms = std::nullopt, std::int64_t license = 1,
                const std::string& product = "cad", std::int64_t customer = 7) {
  UsageRecord r;
  r.event = event;
  r.at_ms = at_ms;
  r.lease_ref = ref;
  r.units = units;
  r.user = user;
  r.host = user + "-ws";
  r.since_ms = since_ms;
  r.license_id = license;
  r.product_code = product;
  r.customer_id = customer;
  r.account_id = 2;
  r.scope = "/1/2/c" + std::to_string(customer) + "/";
  return r;
}

UsageReportBuilder builder(UsagePeriod period, std::int64_t from, std::int64_t to,
                           UsageGroup group = UsageGroup::license) {
  return UsageReportBuilder(group, period, from, to, to, 1000);
}

TEST(UsageReport, PeakIsTheMostUnitsHeldAtOneMoment) {
  auto report = builder(UsagePeriod::all, kJan1, kJan1 + 4 * kReportHour);
  report.add(rec(usage_event::kCheckout, kJan1, "a", 2, "ann"));
  report.add(rec(usage_event::kCheckout, kJan1 + kReportHour, "b", 1, "bob"));
  report.add(rec(usage_event::kCheckin, kJan1 + 2 * kReportHour, "a", 2, "ann", kJan1));
  report.add(
      rec(usage_event::kCheckin, kJan1 + 3 * kReportHour, "b", 1, "bob", kJan1 + kReportHour));
  const auto rows = report.finish();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].key.license_id, 1);
  EXPECT_EQ(rows[0].key.product, "cad");
  EXPECT_EQ(rows[0].key.customer_id, 7);
  EXPECT_EQ(rows[0].key.account_id, 2);
  EXPECT_EQ(rows[0].peak_units, 3);
  EXPECT_EQ(rows[0].unit_ms, 2 * 2 * kReportHour + 1 * 2 * kReportHour);
  EXPECT_DOUBLE_EQ(rows[0].unit_hours(), 6.0);
  EXPECT_DOUBLE_EQ(rows[0].average_units(), 1.5);
  EXPECT_EQ(rows[0].checkouts, 2);
  EXPECT_EQ(rows[0].users, 2);
  EXPECT_EQ(rows[0].hosts, 2);
  EXPECT_EQ(rows[0].from_ms, kJan1);
  EXPECT_EQ(rows[0].to_ms, kJan1 + 4 * kReportHour);
}

TEST(UsageReport, ACheckinAndACheckoutAtOneMomentAreTakenInTheOrderWritten) {
  auto report = builder(UsagePeriod::all, kJan1, kJan1 + 2 * kReportHour);
  report.add(rec(usage_event::kCheckout, kJan1, "a", 1, "ann"));
  report.add(rec(usage_event::kCheckin, kJan1 + kReportHour, "a", 1, "ann", kJan1));
  report.add(rec(usage_event::kCheckout, kJan1 + kReportHour, "b", 1, "bob"));
  const auto rows = report.finish();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].peak_units, 1);
  EXPECT_EQ(rows[0].unit_ms, 2 * kReportHour);
}

TEST(UsageReport, ALeaseSpanningTheStartIsCountedFromTheStart) {
  // ann checked out an hour before the range; her checkin names when (since_ms).
  auto report = builder(UsagePeriod::all, kJan1, kJan1 + 2 * kReportHour);
  report.in_use_at_start(
      rec(usage_event::kCheckin, kJan1 + kReportHour, "a", 3, "ann", kJan1 - kReportHour));
  report.add(rec(usage_event::kCheckout, kJan1 + 30 * 60'000, "b", 1, "bob"));
  report.add(rec(usage_event::kCheckin, kJan1 + kReportHour, "a", 3, "ann", kJan1 - kReportHour));
  const auto rows = report.finish();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].peak_units, 4);
  EXPECT_EQ(rows[0].unit_ms, 3 * kReportHour + 1 * (90 * 60'000));
  EXPECT_EQ(rows[0].checkouts, 1);  // ann's was before the range
  EXPECT_EQ(rows[0].users, 2);
}

TEST(UsageReport, ALeaseStillHeldIsCountedUpToTheEndOrNow) {
  // A range ending in the future: use is counted up to now (end_ms), and the row says so.
  const std::int64_t now = kJan1 + 3 * kReportHour;
  UsageReportBuilder report(UsageGroup::license, UsagePeriod::all, kJan1, kJan1 + kReportDay, now,
                            10);
  report.add(rec(usage_event::kCheckout, kJan1 + kReportHour, "a", 2, "ann"));
  const auto rows = report.finish();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].unit_ms, 2 * 2 * kReportHour);
  EXPECT_EQ(rows[0].to_ms, now);
  EXPECT_DOUBLE_EQ(rows[0].average_units(), 4.0 / 3.0);
}

TEST(UsageReport, HoursCarryWhatIsHeldAcrossTheirBoundaries) {
  auto report = builder(UsagePeriod::hour, kJan1, kJan1 + 3 * kReportHour);
  report.add(rec(usage_event::kCheckout, kJan1 + 30 * 60'000, "a", 2, "ann"));
  report.add(rec(usage_event::kCheckin, kJan1 + 2 * kReportHour + 15 * 60'000, "a", 2, "ann",
                 kJan1 + 30 * 60'000));
  const auto rows = report.finish();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].from_ms, kJan1);
  EXPECT_EQ(rows[0].unit_ms, 2 * 30 * 60'000);
  EXPECT_EQ(rows[0].checkouts, 1);
  // The middle hour: held throughout, checked out in none of it, ann still its user.
  EXPECT_EQ(rows[1].from_ms, kJan1 + kReportHour);
  EXPECT_EQ(rows[1].to_ms, kJan1 + 2 * kReportHour);
  EXPECT_EQ(rows[1].peak_units, 2);
  EXPECT_EQ(rows[1].unit_ms, 2 * kReportHour);
  EXPECT_EQ(rows[1].checkouts, 0);
  EXPECT_EQ(rows[1].users, 1);
  EXPECT_EQ(rows[2].unit_ms, 2 * 15 * 60'000);
  EXPECT_EQ(rows[2].peak_units, 2);
}

TEST(UsageReport, PeriodsWithoutUseAreLeftOut) {
  auto report = builder(UsagePeriod::day, kJan1, kJan1 + 5 * kReportDay);
  report.add(rec(usage_event::kCheckout, kJan1 + kReportHour, "a", 1, "ann"));
  report.add(
      rec(usage_event::kCheckin, kJan1 + 2 * kReportHour, "a", 1, "ann", kJan1 + kReportHour));
  report.add(rec(usage_event::kCheckout, kJan1 + 3 * kReportDay, "b", 1, "bob"));
  report.add(rec(usage_event::kCheckin, kJan1 + 3 * kReportDay + kReportHour, "b", 1, "bob",
                 kJan1 + 3 * kReportDay));
  const auto rows = report.finish();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].from_ms, kJan1);
  EXPECT_EQ(rows[1].from_ms, kJan1 + 3 * kReportDay);
  EXPECT_EQ(rows[1].to_ms, kJan1 + 4 * kReportDay);
}

TEST(UsageReport, MonthsFollowTheCalendar) {
  // 2026-01-15 to 2026-03-10: three months, the first and last clipped to the range.
  const std::int64_t from = kJan1 + 14 * kReportDay;
  const std::int64_t feb1 = kJan1 + 31 * kReportDay;
  const std::int64_t mar1 = feb1 + 28 * kReportDay;
  const std::int64_t to = mar1 + 9 * kReportDay;
  EXPECT_EQ(UsageReportBuilder::period_count(UsagePeriod::month, from, to), 3);
  auto report = builder(UsagePeriod::month, from, to);
  report.add(rec(usage_event::kCheckout, from, "a", 1, "ann"));
  const auto rows = report.finish();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].to_ms, feb1);
  EXPECT_EQ(rows[1].from_ms, feb1);
  EXPECT_EQ(rows[1].to_ms, mar1);
  EXPECT_EQ(rows[1].unit_ms, 28 * kReportDay);
  EXPECT_DOUBLE_EQ(rows[1].average_units(), 1.0);
  EXPECT_EQ(rows[2].to_ms, to);
}

TEST(UsageReport, PeriodCounts) {
  EXPECT_EQ(UsageReportBuilder::period_count(UsagePeriod::all, kJan1, kJan1 + 1), 1);
  EXPECT_EQ(UsageReportBuilder::period_count(UsagePeriod::hour, kJan1, kJan1 + kReportDay), 24);
  EXPECT_EQ(UsageReportBuilder::period_count(UsagePeriod::hour, kJan1 + 1, kJan1 + kReportDay + 1),
            25);
  EXPECT_EQ(UsageReportBuilder::period_count(UsagePeriod::day, kJan1, kJan1 + 31 * kReportDay), 31);
  EXPECT_EQ(UsageReportBuilder::period_count(UsagePeriod::month, kJan1, kJan1 + 365 * kReportDay),
            12);
  EXPECT_EQ(UsageReportBuilder::period_count(UsagePeriod::day, kJan1, kJan1), 0);
}

TEST(UsageReport, ARepeatedCheckoutCountsButHoldsNoMoreUnits) {
  auto report = builder(UsagePeriod::all, kJan1, kJan1 + kReportHour);
  report.add(rec(usage_event::kCheckout, kJan1, "a", 2, "ann"));
  report.add(rec(usage_event::kReused, kJan1 + 1000, "a", 2, "ann"));
  const auto rows = report.finish();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].peak_units, 2);
  EXPECT_EQ(rows[0].checkouts, 2);
  EXPECT_EQ(rows[0].unit_ms, 2 * kReportHour);
}

TEST(UsageReport, GroupsAddUpTheirLicenses) {
  auto by_product = builder(UsagePeriod::all, kJan1, kJan1 + kReportHour, UsageGroup::product);
  auto by_customer = builder(UsagePeriod::all, kJan1, kJan1 + kReportHour, UsageGroup::customer);
  auto by_user = builder(UsagePeriod::all, kJan1, kJan1 + kReportHour, UsageGroup::user);
  for (auto* report : {&by_product, &by_customer, &by_user}) {
    report->add(rec(usage_event::kCheckout, kJan1, "a", 1, "ann", {}, 1, "cad", 7));
    report->add(rec(usage_event::kCheckout, kJan1, "b", 2, "bob", {}, 2, "cad", 8));
    report->add(rec(usage_event::kCheckout, kJan1, "c", 4, "ann", {}, 3, "cam", 8));
  }
  auto rows = by_product.finish();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].key.product, "cad");
  EXPECT_EQ(rows[0].key.license_id, std::nullopt);
  EXPECT_EQ(rows[0].peak_units, 3);
  EXPECT_EQ(rows[1].key.product, "cam");
  EXPECT_EQ(rows[1].peak_units, 4);
  rows = by_customer.finish();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].key.customer_id, 7);
  EXPECT_EQ(rows[0].key.account_id, 2);
  EXPECT_EQ(rows[1].key.customer_id, 8);
  EXPECT_EQ(rows[1].peak_units, 6);
  EXPECT_EQ(rows[1].unit_ms, 6 * kReportHour);
  rows = by_user.finish();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].key.user, "ann");
  EXPECT_EQ(rows[0].peak_units, 5);
}

TEST(UsageReport, AnEndWithoutItsStartChangesNothing) {
  auto report = builder(UsagePeriod::all, kJan1, kJan1 + kReportHour);
  report.add(rec(usage_event::kCheckin, kJan1 + 1000, "x", 5, "ann", kJan1 - kReportDay));
  EXPECT_TRUE(report.finish().empty());
}

TEST(UsageReport, TooManyRowsAreRefused) {
  UsageReportBuilder report(UsageGroup::license, UsagePeriod::all, kJan1, kJan1 + kReportHour,
                            kJan1 + kReportHour, 2);
  for (std::int64_t license = 1; license <= 3; ++license)
    report.add(
        rec(usage_event::kCheckout, kJan1, "l" + std::to_string(license), 1, "ann", {}, license));
  EXPECT_THROW(report.finish(), DomainError);
}

}  // namespace
}  // namespace lmp::domain
