// The `saas` family through the real seat protocol: named users hold one seat across sessions,
// seats are freed after the inactivity period on the injected clock, and the overage allowance
// is granted up to its edge and reported by STATUS.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "support/line_client.hpp"
#include "support/storage_backends.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

constexpr std::int64_t kDay = 86400;

// The parameter names the storage backend.
class SaasFamilyTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    config_ = base_config(dir_.path());
    if (!backend_.use(GetParam(), config_))
      GTEST_SKIP() << "LMP_TEST_POSTGRES is not set (scripts/test.sh starts a server and sets it)";
    config::Product crm;
    crm.code = "crm";
    crm.name = "CRM Cloud";
    crm.family = "saas";
    crm.unit = sdk::UnitType::users;
    crm.settings = {{"inactivity_days", "2"}, {"overage_percent", "20"}};
    config_.products.push_back(crm);
  }
  std::string license(std::int64_t units) {
    return create_license(config_,
                          {.product = "crm", .units = units, .unit = sdk::UnitType::users});
  }
  void start() { server_ = std::make_unique<TestServer>(config_); }

  TempDir dir_;
  StorageBackend backend_;  // outlives the server, which uses its database
  config::Config config_;
  std::unique_ptr<TestServer> server_;
};

INSTANTIATE_TEST_SUITE_P(Backends, SaasFamilyTest, kStorageBackends, backend_name);

TEST_P(SaasFamilyTest, AUserHoldsOneSeatAcrossSessionsAndHosts) {
  auto code = license(3);
  start();
  LineClient c(server_->port());
  auto missing = c.request("CHECKOUT code=" + code + " host=laptop");
  EXPECT_EQ(status_of(missing), "bad_request");
  EXPECT_NE(fields_of(missing)["msg"].find("user"), std::string::npos) << missing;

  auto first = fields_of(c.request("CHECKOUT code=" + code + " user=ann host=laptop"));
  ASSERT_FALSE(first["lease"].empty());
  EXPECT_EQ(first["expires"], std::to_string(kTestEpochMs / 1000 + 2 * kDay));
  EXPECT_EQ(first["heartbeat"], std::to_string(kDay));
  LineClient other(server_->port());
  auto second = fields_of(other.request("CHECKOUT code=" + code + " user=ann host=phone"));
  EXPECT_EQ(second["lease"], first["lease"]);
  EXPECT_EQ(fields_of(c.request("STATUS code=" + code))["used"], "1");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " user=ann units=2")), "bad_request");
}

TEST_P(SaasFamilyTest, ASeatIsFreedOnlyAfterTheInactivityPeriod) {
  auto code = license(1);
  start();
  LineClient c(server_->port());
  ASSERT_EQ(status_of(c.request("CHECKOUT code=" + code + " user=ann")), "OK");
  // A day of silence keeps the seat: no heartbeat is needed in between.
  server_->advance_seconds(kDay);
  EXPECT_EQ(fields_of(c.request("STATUS code=" + code))["used"], "1");
  // Using the service again starts the period anew.
  auto again = fields_of(c.request("CHECKOUT code=" + code + " user=ann"));
  EXPECT_EQ(again["expires"], std::to_string(kTestEpochMs / 1000 + 3 * kDay));
  server_->advance_seconds(2 * kDay - 1);
  EXPECT_EQ(fields_of(c.request("STATUS code=" + code))["used"], "1");
  server_->advance_seconds(1);
  EXPECT_EQ(fields_of(c.request("STATUS code=" + code))["used"], "0");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " user=bob")), "OK");
}

TEST_P(SaasFamilyTest, OverageIsGrantedUpToTheAllowanceAndReported) {
  auto code = license(10);  // 20 % of 10: two users beyond the ten licensed
  start();
  LineClient c(server_->port());
  for (int i = 0; i < 10; ++i)
    ASSERT_EQ(status_of(c.request("CHECKOUT code=" + code + " user=u" + std::to_string(i))), "OK");
  auto at_units = fields_of(c.request("STATUS code=" + code));
  EXPECT_EQ(at_units["used"], "10");
  EXPECT_EQ(at_units["over"], "0");
  EXPECT_EQ(at_units["allowance"], "2");
  EXPECT_EQ(at_units["free"], "2");

  std::string lease;
  for (int i = 10; i < 12; ++i) {
    auto r = c.request("CHECKOUT code=" + code + " user=u" + std::to_string(i));
    ASSERT_EQ(status_of(r), "OK") << r;
    lease = fields_of(r)["lease"];
  }
  auto over = fields_of(c.request("STATUS code=" + code));
  EXPECT_EQ(over["used"], "12");
  EXPECT_EQ(over["units"], "10");
  EXPECT_EQ(over["over"], "2");
  EXPECT_EQ(over["free"], "0");

  auto refused = c.request("CHECKOUT code=" + code + " user=u12");
  EXPECT_EQ(status_of(refused), "no_seats");
  EXPECT_NE(fields_of(refused)["msg"].find("overage allowance of 2"), std::string::npos) << refused;
  // An existing user still gets their seat at the edge.
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " user=u3")), "OK");

  ASSERT_EQ(status_of(c.request("CHECKIN lease=" + lease)), "OK");
  EXPECT_EQ(fields_of(c.request("STATUS code=" + code))["over"], "1");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " user=u12")), "OK");
}

}  // namespace
}  // namespace lmp::test
