// The clock guard on a site server (docs/entitlements.md, "The clock guard"), on each storage
// backend, with the injected clock: a wall clock moved back by more than trust.clock_tolerance_
// seconds is reported once per episode in /metrics and /readyz while the instance stays ready, a
// license from an entitlement is judged at the high-water mark (an expired one stays expired, an
// entitlement's `exp` is not reopened), within the tolerance nothing is reported, and the mark
// survives a restart.
#include <gtest/gtest.h>

#include <string>

#include "entitlements_fixture.hpp"
#include "support/line_client.hpp"

namespace lmp::test {
namespace {

class ClockGuardTest : public EntitlementsFixture {
 protected:
  // The value of the unlabelled series `name` in /metrics; -1 when it is missing.
  double metric(const std::string& name) {
    const auto page = admin_call(server_->admin_port(), "", "GET", "/metrics").body;
    const auto at = page.find("\n" + name + " ");
    if (at == std::string::npos) return -1;
    return std::stod(page.substr(at + name.size() + 2));
  }
  boost::json::value readyz() {
    auto reply = admin_call(server_->admin_port(), "", "GET", "/readyz");
    EXPECT_EQ(reply.status, 200) << reply.body;
    return reply.json();
  }
  // A checkout with the license's code, checked in again at once: "OK", or the refusal's first
  // two words. It goes through a batch of the seat engine, which observes the clock and stores
  // the mark before it answers.
  std::string checkout(const std::string& code) {
    LineClient seat(server_->port());
    const auto answer = seat.request("CHECKOUT code=" + code);
    if (answer.rfind("OK lease=", 0) != 0) return answer.substr(0, answer.find(' ', 4));
    EXPECT_EQ(seat.request("CHECKIN lease=" + fields_of(answer)["lease"]), "OK");
    return "OK";
  }
  // A license of one seat from the vendor, imported: its activation code.
  std::string imported_code() {
    return std::string(imported(token(vendor_license(1))).at("code").as_string());
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, ClockGuardTest, kStorageBackends, backend_name);

constexpr std::int64_t kGuardHourSeconds = 3600;

TEST_P(ClockGuardTest, AClockMovedBackIsReportedAndLeavesAnExpiredLicenseExpired) {
  // 365 days and 7 of grace, from the vendor's clock, which is the site's at the start.
  const std::string code = imported_code();
  EXPECT_EQ(checkout(code), "OK");
  EXPECT_EQ(metric("lmp_clock_moved_back_total"), 0);

  server_->advance_seconds(380 * kEntitlementDay);
  const std::string expired = checkout(code);
  EXPECT_EQ(expired, "ERR license_expired");

  // Within the tolerance (an hour by default): judged at the mark, and nothing reported.
  server_->step_wall_clock_seconds(-kGuardHourSeconds / 2);
  EXPECT_EQ(checkout(code), expired);
  EXPECT_EQ(readyz(), boost::json::value({{"status", "ready"}}));
  EXPECT_EQ(metric("lmp_clock_moved_back_total"), 0);
  EXPECT_EQ(metric("lmp_clock_behind_mark_seconds"), kGuardHourSeconds / 2);

  // Thirty days back: the license would be within its term at the moved clock.
  server_->step_wall_clock_seconds(-30 * kEntitlementDay);
  EXPECT_EQ(checkout(code), expired);
  EXPECT_EQ(checkout(code), expired);
  const std::int64_t behind = 30 * kEntitlementDay + kGuardHourSeconds / 2;
  const auto ready = readyz();
  EXPECT_EQ(ready.at("status"), "ready");
  EXPECT_EQ(ready.at("clock"), "moved_back");
  EXPECT_EQ(ready.at("behind_mark_seconds"), behind);
  EXPECT_EQ(ready.at("tolerance_seconds"), kGuardHourSeconds);
  EXPECT_EQ(metric("lmp_clock_behind_mark_seconds"), behind);
  // One episode, however many batches saw it.
  EXPECT_EQ(metric("lmp_clock_moved_back_total"), 1);

  // Set right: the episode ends.
  server_->step_wall_clock_seconds(behind);
  EXPECT_EQ(checkout(code), expired);
  EXPECT_EQ(readyz(), boost::json::value({{"status", "ready"}}));
  EXPECT_EQ(metric("lmp_clock_behind_mark_seconds"), 0);
  EXPECT_EQ(metric("lmp_clock_moved_back_total"), 1);
}

TEST_P(ClockGuardTest, AnEntitlementPastItsExpIsNotReopenedByAClockMovedBack) {
  const std::string code = imported_code();
  const std::string file(exported(vendor_license(2), site_, 10).at("entitlement").as_string());
  server_->advance_seconds(12 * kEntitlementDay);
  EXPECT_EQ(checkout(code), "OK");  // a batch: the mark is stored at day 12
  // Day 7 on the wall clock, within the file's 10 days; day 12 at the mark.
  server_->step_wall_clock_seconds(-5 * kEntitlementDay);
  EXPECT_EQ(checkout(code), "OK");
  auto reply = import(file);
  EXPECT_EQ(reply.status, 422) << reply.body;
  EXPECT_EQ(reply.error_code(), "entitlement_expired") << reply.body;
  EXPECT_EQ(site_license_count(), 1);
}

TEST_P(ClockGuardTest, TheMarkSurvivesARestartWithTheClockBehindIt) {
  const std::string code = imported_code();
  server_->advance_seconds(380 * kEntitlementDay);
  const std::string expired = checkout(code);
  ASSERT_EQ(expired, "ERR license_expired");
  // The mark is stored once it has moved a minute: the batch of that checkout stored it.
  const std::int64_t moved_back = server_->clock().now_unix_ms() - 20 * kEntitlementDay * 1000;
  restart_site(moved_back);
  EXPECT_EQ(checkout(code), expired);
  const auto ready = readyz();
  EXPECT_EQ(ready.at("clock"), "moved_back");
  EXPECT_GE(ready.at("behind_mark_seconds").as_int64(), 20 * kEntitlementDay - 60);
  EXPECT_EQ(metric("lmp_clock_moved_back_total"), 1);
}

TEST_P(ClockGuardTest, TheToleranceIsTheConfigs) {
  const std::string code = imported_code();
  config_.trust.clock_tolerance_seconds = 60;
  EXPECT_TRUE(server_->reload(config_).empty());
  server_->advance_seconds(kGuardHourSeconds);
  EXPECT_EQ(checkout(code), "OK");
  server_->step_wall_clock_seconds(-120);
  EXPECT_EQ(checkout(code), "OK");
  EXPECT_EQ(readyz().at("tolerance_seconds"), 60);
  EXPECT_EQ(metric("lmp_clock_moved_back_total"), 1);
}

}  // namespace
}  // namespace lmp::test
