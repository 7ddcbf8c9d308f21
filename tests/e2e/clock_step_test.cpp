// Steps of the wall clock while lmpd runs, through real sockets on a ManualClock: leases keep the
// lifetime they had (time passing is measured on the monotonic clock), license validity follows
// the wall clock forward (never back: clock_rollback_test.cpp), and the shifted expiries are what
// a restarted daemon finds.
#include <gtest/gtest.h>

#include "support/line_client.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

constexpr std::int64_t kDay = 86400;

// A server on a fresh database with one license, and a client connected to it.
struct Deployment {
  explicit Deployment(const LicenseSpec& spec = {})
      : config(base_config(dir.path())),
        code(create_license(config, spec)),
        server(config),
        client(server.port()) {}

  TempDir dir;
  config::Config config;
  std::string code;
  TestServer server;
  LineClient client;
};

std::int64_t expires_of(const std::string& answer) {
  const auto value = fields_of(answer)["expires"];
  return value.empty() ? 0 : std::stoll(value);
}

TEST(ClockStepTest, StepForwardExpiresNoLease) {
  Deployment d;
  auto checkout = d.client.request("CHECKOUT code=" + d.code);
  const auto lease = fields_of(checkout)["lease"];
  d.server.step_wall_clock_seconds(2 * kDay);
  auto beat = d.client.request("HEARTBEAT lease=" + lease);
  ASSERT_EQ(status_of(beat), "OK") << beat;
  // No time passed, so the lease has the full 300 s, counted from the new wall-clock time.
  EXPECT_EQ(expires_of(beat), expires_of(checkout) + 2 * kDay);
  EXPECT_EQ(fields_of(d.client.request("STATUS code=" + d.code))["used"], "1");
  // It still lapses when its heartbeats stop.
  d.server.advance_seconds(301);
  EXPECT_EQ(status_of(d.client.request("HEARTBEAT lease=" + lease)), "lease_unknown");
  EXPECT_EQ(fields_of(d.client.request("STATUS code=" + d.code))["used"], "0");
}

TEST(ClockStepTest, StepBackKeepsNoLeaseLonger) {
  // The license starts a day before the test's clock. Two days back, it is judged where it was
  // left (its high-water mark), so it has started all the same...
  Deployment d;
  const auto lease = fields_of(d.client.request("CHECKOUT code=" + d.code))["lease"];
  d.server.step_wall_clock_seconds(-2 * kDay);
  // ...and lease lifetime is elapsed time: 299 s on, the lease is there, 301 s on it is gone.
  d.server.advance_seconds(299);
  auto status = fields_of(d.client.request("STATUS code=" + d.code));
  EXPECT_EQ(status["state"], "active");
  EXPECT_EQ(status["used"], "1");
  d.server.advance_seconds(2);
  EXPECT_EQ(fields_of(d.client.request("STATUS code=" + d.code))["used"], "0");
  EXPECT_EQ(status_of(d.client.request("HEARTBEAT lease=" + lease)), "lease_unknown");
}

TEST(ClockStepTest, StepPastTheLicenseEndExpiresTheLicense) {
  Deployment d({.expires_at_ms = kTestEpochMs + 10 * kDay * 1000});
  const auto lease = fields_of(d.client.request("CHECKOUT code=" + d.code))["lease"];
  d.server.step_wall_clock_seconds(11 * kDay);
  EXPECT_EQ(status_of(d.client.request("CHECKOUT code=" + d.code)), "license_expired");
  EXPECT_EQ(status_of(d.client.request("HEARTBEAT lease=" + lease)), "license_expired");
  EXPECT_EQ(fields_of(d.client.request("STATUS code=" + d.code))["state"], "expired");
}

TEST(ClockStepTest, WaitersKeepTheirTime) {
  Deployment d({.units = 1});
  LineClient waiter(d.server.port());
  EXPECT_EQ(status_of(d.client.request("CHECKOUT code=" + d.code)), "OK");
  waiter.send("CHECKOUT code=" + d.code + " wait=30");
  EXPECT_EQ(waiter.read_line(std::chrono::milliseconds(300)), std::nullopt);
  d.server.step_wall_clock_seconds(kDay);
  EXPECT_EQ(waiter.read_line(std::chrono::milliseconds(300)), std::nullopt);
  d.server.advance_seconds(31);
  auto answer = waiter.read_line();
  ASSERT_TRUE(answer);
  EXPECT_EQ(status_of(*answer), "no_seats");
}

TEST(ClockStepTest, ShiftedExpiriesSurviveARestart) {
  TempDir dir;
  auto config = base_config(dir.path());
  auto code = create_license(config, {});
  auto server = std::make_unique<TestServer>(config);
  std::string lease;
  {
    LineClient c(server->port());
    lease = fields_of(c.request("CHECKOUT code=" + code))["lease"];
    server->step_wall_clock_seconds(2 * kDay);
    // Goes through the service after the step, so the shift is committed once it is answered.
    EXPECT_EQ(fields_of(c.request("STATUS code=" + code))["used"], "1");
  }
  server.reset();
  TestServer restarted(config, kTestEpochMs + 2 * kDay * 1000 + 1000);
  LineClient c(restarted.port());
  EXPECT_EQ(status_of(c.request("HEARTBEAT lease=" + lease)), "OK");
}

}  // namespace
}  // namespace lmp::test
