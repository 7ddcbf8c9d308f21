// End of Life on a PostgreSQL database shared by two in-process instances (each on its own
// ManualClock), when LMP_TEST_POSTGRES names a server: a date set through one instance's API
// refuses the product on the other as soon as it passes, and the deletion runs exactly once
// between the two sweeps. Creates and drops a database of its own; skipped without a server.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "admin_fixture.hpp"
#include "shared_postgres.hpp"

namespace lmp::test {
namespace {

namespace json = boost::json;

class SharedEndOfLife : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!db_.available()) GTEST_SKIP() << "LMP_TEST_POSTGRES is not set";
    token_ = db_.token();
    auto config = db_.config();
    config.events.sweep_interval_ms = kTestEventSweepMs;
    a_ = std::make_unique<TestServer>(config);
    b_ = std::make_unique<TestServer>(config);
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
  }

  json::value ok(TestServer& on, const std::string& method, const std::string& target,
                 const json::value& body = nullptr) {
    auto reply = admin_call(on.admin_port(), token_, method, target, body);
    EXPECT_EQ(reply.status, 200) << method << " " << target << ": " << reply.body;
    return reply.json();
  }
  HttpReply seat(TestServer& on, const std::string& op, const json::object& body) {
    HttpClient client(on.admin_port());
    return client.post("/v1/seat/" + op, body);
  }
  std::int64_t count(const std::string& query) { return db_.count(query); }

  TempDir dir_;
  SharedPostgres db_{dir_.path(), "lmp_eol_"};
  std::string token_;
  std::unique_ptr<TestServer> a_, b_;
};

TEST_F(SharedEndOfLife, DateSetOnOneInstanceRefusesOnTheOtherAndDeletesOnce) {
  const auto customer = id_of(ok(*a_, "POST", "/v1/customers", {{"name", "acme"}}));
  auto make = [&](const std::string& product, const std::string& host) {
    auto license = ok(*a_, "POST", "/v1/licenses",
                      {{"customer", customer}, {"product", product}, {"units", 2}, {"days", 365}});
    const std::string code(license.at("code").as_string());
    EXPECT_EQ(seat(*b_, "checkout", {{"code", code}, {"host", host}}).status, 200);
    return code;
  };
  const auto cad = make("cad", "ws-1");
  make("agent", "ws-2");
  EXPECT_EQ(count("SELECT COUNT(*) FROM leases WHERE product_code = 'cad'"), 1);
  ok(*a_, "POST", "/v1/products/cad/end-of-life", {{"at", kNow + 10 * kDay}});
  EXPECT_EQ(ok(*b_, "GET", "/v1/products/cad").at("end_of_life"), kNow + 10 * kDay);
  EXPECT_EQ(seat(*b_, "checkout", {{"code", cad}, {"host", "ws-3"}}).status, 200);

  a_->advance_seconds(10 * kDay);
  b_->advance_seconds(10 * kDay);
  EXPECT_EQ(seat(*b_, "checkout", {{"code", cad}}).error_code(), "end_of_life");
  // Both instances sweep every kTestEventSweepMs; wait for the deletion, then for a few more
  // sweeps of each, which must find nothing left to do.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (count("SELECT COUNT(*) FROM licenses WHERE product_code = 'cad'") > 0 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  sleep_through_event_sweeps(5);
  EXPECT_EQ(count("SELECT COUNT(*) FROM licenses WHERE product_code = 'cad'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM leases WHERE product_code = 'cad'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM licenses WHERE product_code = 'agent'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'product.data_deleted'"), 1);
  EXPECT_EQ(seat(*a_, "activate", {{"code", cad}}).error_code(), "end_of_life");
}

}  // namespace
}  // namespace lmp::test
