// Permanent allocations through the real seat protocol: encryption-key checkouts that never
// expire, need no heartbeat, hold their units until checked in, and survive a restart.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "support/line_client.hpp"
#include "support/storage_backends.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

constexpr std::int64_t kDay = 86400;
constexpr const char* kNever = "253402300799";  // 9999-12-31T23:59:59Z

// The parameter names the storage backend.
class PermanentAllocationTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    config_ = base_config(dir_.path());
    if (!backend_.use(GetParam(), config_))
      GTEST_SKIP() << "LMP_TEST_POSTGRES is not set (scripts/test.sh starts a server and sets it)";
    config::Product keys;
    keys.code = "vault";
    keys.name = "Vault Keys";
    keys.family = "software";
    keys.unit = sdk::UnitType::encryption_keys;
    config_.products.push_back(keys);
    code_ = create_license(
        config_, {.product = "vault", .units = 3, .unit = sdk::UnitType::encryption_keys});
  }
  void start() { server_ = std::make_unique<TestServer>(config_); }

  TempDir dir_;
  StorageBackend backend_;  // outlives the server, which uses its database
  config::Config config_;
  std::string code_;
  std::unique_ptr<TestServer> server_;
};

INSTANTIATE_TEST_SUITE_P(Backends, PermanentAllocationTest, kStorageBackends, backend_name);

TEST_P(PermanentAllocationTest, KeysStayAllocatedWithoutHeartbeatsUntilCheckedIn) {
  start();
  LineClient c(server_->port());
  auto first = c.request("CHECKOUT code=" + code_ + " units=2 host=db1");
  ASSERT_EQ(status_of(first), "OK") << first;
  EXPECT_EQ(fields_of(first)["expires"], kNever);
  // The same host asking again gets a second allocation, not the first one back.
  auto second = fields_of(c.request("CHECKOUT code=" + code_ + " host=db1"));
  EXPECT_NE(second["lease"], fields_of(first)["lease"]);

  server_->advance_seconds(60 * kDay);
  EXPECT_EQ(fields_of(c.request("STATUS code=" + code_))["used"], "3");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code_ + " host=db2")), "no_seats");
  auto beat = fields_of(c.request("HEARTBEAT lease=" + second["lease"]));
  EXPECT_EQ(beat["expires"], kNever);

  ASSERT_EQ(status_of(c.request("CHECKIN lease=" + fields_of(first)["lease"])), "OK");
  EXPECT_EQ(fields_of(c.request("STATUS code=" + code_))["used"], "1");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code_ + " units=2 host=db2")), "OK");
}

TEST_P(PermanentAllocationTest, AllocationsSurviveARestart) {
  start();
  std::string lease;
  {
    LineClient c(server_->port());
    lease = fields_of(c.request("CHECKOUT code=" + code_ + " units=3"))["lease"];
    ASSERT_FALSE(lease.empty());
  }
  server_.reset();
  server_ = std::make_unique<TestServer>(config_, kTestEpochMs + 90 * kDay * 1000);
  LineClient c(server_->port());
  EXPECT_EQ(fields_of(c.request("STATUS code=" + code_))["used"], "3");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code_)), "no_seats");
  EXPECT_EQ(status_of(c.request("CHECKIN lease=" + lease)), "OK");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code_)), "OK");
}

}  // namespace
}  // namespace lmp::test
