// The `suite` family through the real seat protocol: one license for several components, one
// unit per holder across components, and End of Life of one component stopping that one only.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "support/line_client.hpp"
#include "support/storage_backends.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

// The parameter names the storage backend.
class SuiteFamilyTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    // base_config has "cad" (software, seats) and "agent" (software, endpoints).
    config_ = base_config(dir_.path());
    if (!backend_.use(GetParam(), config_))
      GTEST_SKIP() << "LMP_TEST_POSTGRES is not set (scripts/test.sh starts a server and sets it)";
    config::Product render;
    render.code = "render";
    render.name = "Render Farm";
    render.family = "software";
    render.unit = sdk::UnitType::endpoints;
    config_.products.push_back(render);
    config::Product studio;
    studio.code = "studio";
    studio.name = "Design Studio";
    studio.family = "suite";
    studio.unit = sdk::UnitType::endpoints;
    studio.components = {"agent", "render"};
    config_.products.push_back(studio);
  }
  void start() { server_ = std::make_unique<TestServer>(config_); }
  std::string suite_license(std::int64_t units) {
    return create_license(config_,
                          {.product = "studio", .units = units, .unit = sdk::UnitType::endpoints});
  }

  TempDir dir_;
  StorageBackend backend_;  // outlives the server, which uses its database
  config::Config config_;
  std::unique_ptr<TestServer> server_;
};

INSTANTIATE_TEST_SUITE_P(Backends, SuiteFamilyTest, kStorageBackends, backend_name);

TEST_P(SuiteFamilyTest, OneHolderUsesOneUnitAcrossComponents) {
  auto code = suite_license(2);
  start();
  LineClient c(server_->port());
  auto first = fields_of(c.request("CHECKOUT code=" + code + " product=agent host=pc1"));
  ASSERT_FALSE(first["lease"].empty());
  auto second = fields_of(c.request("CHECKOUT code=" + code + " product=render host=pc1"));
  EXPECT_EQ(second["lease"], first["lease"]);
  auto status = fields_of(c.request("STATUS code=" + code));
  EXPECT_EQ(status["product"], "studio");
  EXPECT_EQ(status["used"], "1");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " product=render host=pc2")), "OK");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " product=agent host=pc3")), "no_seats");
  ASSERT_EQ(status_of(c.request("CHECKIN lease=" + first["lease"])), "OK");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " product=agent host=pc3")), "OK");
}

TEST_P(SuiteFamilyTest, OnlyComponentsAreLicensedAndOneMustBeNamed) {
  auto code = suite_license(2);
  start();
  LineClient c(server_->port());
  auto outside = c.request("CHECKOUT code=" + code + " product=cad host=pc1");
  EXPECT_EQ(status_of(outside), "product_not_licensed");
  EXPECT_EQ(fields_of(outside)["msg"], "the license covers suite studio: agent, render");
  auto unnamed = c.request("CHECKOUT code=" + code + " host=pc1");
  EXPECT_EQ(status_of(unnamed), "bad_request");
  EXPECT_NE(fields_of(unnamed)["msg"].find("missing field product"), std::string::npos);
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " product=agent")), "bad_request");
  EXPECT_EQ(status_of(c.request("STATUS code=" + code + " product=cad")), "product_not_licensed");
}

TEST_P(SuiteFamilyTest, EndOfLifeOfOneComponentStopsThatComponentOnly) {
  config_.products[2].end_of_life_unix = kTestEpochMs / 1000 - 60;  // render
  auto code = suite_license(2);
  start();
  LineClient c(server_->port());
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " product=render host=pc1")),
            "end_of_life");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " product=agent host=pc1")), "OK");
  auto render = fields_of(c.request("STATUS code=" + code + " product=render"));
  EXPECT_EQ(render["product"], "render");
  EXPECT_EQ(render["state"], "end_of_life");
  auto agent = fields_of(c.request("STATUS code=" + code + " product=agent"));
  EXPECT_EQ(agent["state"], "active");
  EXPECT_EQ(agent["used"], "1");
}

}  // namespace
}  // namespace lmp::test
