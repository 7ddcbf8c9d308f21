// The two time rules of the lifecycle work, at their edges: a license's state (notice window,
// grace, cut-off first) and a product's lifecycle (the earlier of the config's and the API's
// dates; End of Life implies End of Sale).
#include <gtest/gtest.h>

#include "domain/license.hpp"
#include "domain/license_state.hpp"
#include "domain/product_lifecycle.hpp"

namespace lmp {
namespace {

using domain::LicenseState;

constexpr std::int64_t kDay = domain::kDayMs;

TEST(LicenseStateRule, MovesThroughEveryStateAtItsEdges) {
  const domain::LicenseDates dates{10 * kDay, 20 * kDay, 5 * kDay, 3, std::nullopt};
  EXPECT_EQ(license_state(dates, 10 * kDay - 1), LicenseState::not_started);
  EXPECT_EQ(license_state(dates, 10 * kDay), LicenseState::active);
  EXPECT_EQ(license_state(dates, 17 * kDay - 1), LicenseState::active);
  EXPECT_EQ(license_state(dates, 17 * kDay), LicenseState::expiring);
  EXPECT_EQ(license_state(dates, 20 * kDay - 1), LicenseState::expiring);
  EXPECT_EQ(license_state(dates, 20 * kDay), LicenseState::in_grace);
  EXPECT_EQ(license_state(dates, 25 * kDay - 1), LicenseState::in_grace);
  EXPECT_EQ(license_state(dates, 25 * kDay), LicenseState::expired);
}

TEST(LicenseStateRule, ACutOffWinsAndHasNoGrace) {
  domain::LicenseDates dates{10 * kDay, 20 * kDay, 5 * kDay, 0, 15 * kDay};
  EXPECT_EQ(license_state(dates, 15 * kDay - 1), LicenseState::active);
  EXPECT_EQ(license_state(dates, 15 * kDay), LicenseState::disabled);
  EXPECT_EQ(license_state(dates, 22 * kDay), LicenseState::disabled);
  dates.cut_off_at_ms = 5 * kDay;  // before the start
  EXPECT_EQ(license_state(dates, 6 * kDay), LicenseState::disabled);
}

TEST(LicenseStateRule, IsJudgedNoEarlierThanTheLicensesMark) {
  EXPECT_EQ(domain::judged_at(5 * kDay, 0), 5 * kDay);
  EXPECT_EQ(domain::judged_at(5 * kDay, 7 * kDay), 7 * kDay);
  domain::License license;
  license.starts_at_ms = 10 * kDay;
  license.expires_at_ms = 20 * kDay;
  EXPECT_EQ(license.state_at(21 * kDay), LicenseState::expired);
  // Judged up to its expiry and beyond: a clock set back finds it expired still...
  license.clock_mark_ms = 21 * kDay;
  EXPECT_EQ(license.state_at(15 * kDay), LicenseState::expired);
  EXPECT_EQ(license.state_at(5 * kDay), LicenseState::expired);
  // ...and one judged only up to its middle is active, not back before its start.
  license.clock_mark_ms = 15 * kDay;
  EXPECT_EQ(license.state_at(5 * kDay), LicenseState::active);
  EXPECT_EQ(license.state_at(20 * kDay), LicenseState::expired);
}

TEST(LicenseStateRule, ServesActiveExpiringAndInGraceOnly) {
  EXPECT_TRUE(serves(LicenseState::active));
  EXPECT_TRUE(serves(LicenseState::expiring));
  EXPECT_TRUE(serves(LicenseState::in_grace));
  EXPECT_FALSE(serves(LicenseState::not_started));
  EXPECT_FALSE(serves(LicenseState::expired));
  EXPECT_FALSE(serves(LicenseState::disabled));
}

TEST(ProductLifecycleRule, TheEarlierDateCounts) {
  domain::StoredLifecycle stored{"cad", 30 * kDay, 50 * kDay, std::nullopt};
  const domain::ConfiguredDates configured{40 * kDay, 45 * kDay};
  auto at = [&](std::int64_t ms) { return domain::lifecycle_of(configured, &stored, ms); };
  EXPECT_EQ(at(30 * kDay - 1).state, domain::LifecycleState::active);
  EXPECT_EQ(at(30 * kDay).state, domain::LifecycleState::end_of_sale);
  EXPECT_EQ(*at(0).end_of_life_ms, 45 * kDay);
  EXPECT_EQ(at(45 * kDay).state, domain::LifecycleState::end_of_life);
  EXPECT_TRUE(at(45 * kDay).end_of_sale());
  // Without a row, the config alone; without either, active for ever.
  EXPECT_EQ(domain::lifecycle_of(configured, nullptr, 41 * kDay).state,
            domain::LifecycleState::end_of_sale);
  EXPECT_EQ(domain::lifecycle_of(domain::ConfiguredDates{}, nullptr, 1000 * kDay).state,
            domain::LifecycleState::active);
}

TEST(ProductLifecycleRule, EndOfLifeWithoutEndOfSaleStillStopsSales) {
  domain::StoredLifecycle stored{"cad", std::nullopt, 10 * kDay, std::nullopt};
  auto lifecycle = domain::lifecycle_of(domain::ConfiguredDates{}, &stored, 10 * kDay);
  EXPECT_TRUE(lifecycle.end_of_life());
  EXPECT_TRUE(lifecycle.end_of_sale());
}

}  // namespace
}  // namespace lmp
