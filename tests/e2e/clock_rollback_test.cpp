// A clock set back, while lmpd runs and while it is down, through the real seat protocol on a
// ManualClock, on each storage backend: licenses are judged at their durable high-water marks
// (docs/architecture.md, "Time"), so an expired license stays expired, and a license's time runs
// out at the pace of real time however far back the clock went.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "support/line_client.hpp"
#include "support/storage_backends.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kDayMs = kDay * 1000;

// The parameter names the storage backend.
class ClockRollbackTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    config_ = base_config(dir_.path());
    if (!backend_.use(GetParam(), config_))
      GTEST_SKIP() << "LMP_TEST_POSTGRES is not set (scripts/test.sh starts a server and sets it)";
  }
  // A license of "cad" from the epoch for `days` days.
  std::string license(std::int64_t days) {
    return create_license(
        config_, {.starts_at_ms = kTestEpochMs, .expires_at_ms = kTestEpochMs + days * kDayMs});
  }
  // (Re)starts the server with its wall clock at `at_ms`, as after a stop and a restart.
  void start(std::int64_t at_ms) {
    client_.reset();
    server_.reset();
    server_ = std::make_unique<TestServer>(config_, at_ms);
    client_ = std::make_unique<LineClient>(server_->port());
  }
  std::string ask(const std::string& line) { return client_->request(line); }
  std::string state(const std::string& code) {
    return fields_of(ask("STATUS code=" + code))["state"];
  }

  TempDir dir_;
  StorageBackend backend_;  // outlives the server, which uses its database
  config::Config config_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<LineClient> client_;
};

INSTANTIATE_TEST_SUITE_P(Backends, ClockRollbackTest, kStorageBackends, backend_name);

TEST_P(ClockRollbackTest, AnExpiredLicenseStaysExpiredAfterARestartWithTheClockSetBack) {
  const auto code = license(10);
  start(kTestEpochMs);
  ASSERT_EQ(status_of(ask("CHECKOUT code=" + code + " host=pc1")), "OK");
  server_->advance_seconds(11 * kDay);
  EXPECT_EQ(status_of(ask("CHECKOUT code=" + code + " host=pc1")), "license_expired");
  // Stopped, the clock set back ten days, started again: where it was left, it is expired.
  start(kTestEpochMs + kDayMs);
  EXPECT_EQ(status_of(ask("CHECKOUT code=" + code + " host=pc1")), "license_expired");
  EXPECT_EQ(status_of(ask("ACTIVATE code=" + code + " host=pc1 user=ann")), "license_expired");
  EXPECT_EQ(state(code), "expired");
}

TEST_P(ClockRollbackTest, ALicenseDoesNotGetLongerByAStepBackWhileDown) {
  const auto code = license(30);  // a 30-day trial, say
  start(kTestEpochMs);
  server_->advance_seconds(20 * kDay);
  EXPECT_EQ(state(code), "active");
  // Down, and back twenty days: the ten days left are ten days of real time, not thirty.
  start(kTestEpochMs);
  EXPECT_EQ(state(code), "active");
  server_->advance_seconds(9 * kDay);
  EXPECT_EQ(status_of(ask("CHECKOUT code=" + code)), "OK");
  server_->advance_seconds(2 * kDay);
  EXPECT_EQ(status_of(ask("CHECKOUT code=" + code)), "license_expired");
  EXPECT_EQ(state(code), "expired");
}

TEST_P(ClockRollbackTest, AStepBackWhileRunningKeepsALicensesTimeGoing) {
  const auto code = license(10);
  start(kTestEpochMs);
  server_->advance_seconds(9 * kDay);
  ASSERT_EQ(status_of(ask("CHECKOUT code=" + code)), "OK");
  server_->step_wall_clock_seconds(-5 * kDay);
  server_->advance_seconds(kDay - 1);
  EXPECT_EQ(state(code), "active");
  // Ten days have passed in all, though the wall clock reads day five.
  server_->advance_seconds(1);
  EXPECT_EQ(status_of(ask("CHECKOUT code=" + code)), "license_expired");
  // The clock put right again changes nothing.
  server_->step_wall_clock_seconds(5 * kDay);
  EXPECT_EQ(state(code), "expired");
}

TEST_P(ClockRollbackTest, ALicenseNobodyUsedIsCoveredByTheServersMark) {
  const auto unused = license(10);
  const auto other = license(365);
  start(kTestEpochMs);
  server_->advance_seconds(11 * kDay);
  // Any answer comes after a batch that wrote the server's mark, which moved eleven days.
  ASSERT_EQ(state(other), "active");
  start(kTestEpochMs + kDayMs);
  EXPECT_EQ(status_of(ask("CHECKOUT code=" + unused)), "license_expired");
  EXPECT_EQ(state(unused), "expired");
}

TEST_P(ClockRollbackTest, InstancesOnOneDatabaseJudgeAtTheTimeTheOthersReached) {
  if (GetParam() != "postgresql") GTEST_SKIP() << "only PostgreSQL is served by several instances";
  const auto code = license(10);
  const auto other = license(365);
  start(kTestEpochMs);
  TestServer behind(config_, kTestEpochMs);  // its clock stays at the epoch
  LineClient behind_client(behind.port());
  ASSERT_EQ(status_of(behind_client.request("CHECKOUT code=" + code)), "OK");
  // The first instance's time moves eleven days; it never judges `code` itself.
  server_->advance_seconds(11 * kDay);
  ASSERT_EQ(state(other), "active");  // answered after a batch that wrote the server's mark
  EXPECT_EQ(status_of(behind_client.request("CHECKOUT code=" + code)), "license_expired");
  EXPECT_EQ(fields_of(behind_client.request("STATUS code=" + code))["state"], "expired");
}

}  // namespace
}  // namespace lmp::test
