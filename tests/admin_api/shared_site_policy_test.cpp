// Site policy on a PostgreSQL database shared by three in-process instances, when
// LMP_TEST_POSTGRES names a server: a user's max holds whichever instance each checkout reaches,
// also when they all arrive at once (and over a customer's two licenses of the product, max and
// reserve both), and a policy set through one instance's API applies to the next checkout on the
// others. Creates and drops a database of its own; skipped without a server.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "admin_fixture.hpp"
#include "shared_postgres.hpp"
#include "support/line_client.hpp"

namespace lmp::test {
namespace {

namespace json = boost::json;

class SharedSitePolicy : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!db_.available()) GTEST_SKIP() << "LMP_TEST_POSTGRES is not set";
    for (auto& instance : instances_) instance = std::make_unique<TestServer>(db_.config());
    made_ = make_customer_license(db_.admin(*instances_[0]), "acme", 20);
    path_ = "/v1/customers/" + std::to_string(made_.customer) + "/policy";
    code_ = made_.code;
  }

  // An admin call through the first instance that must answer 200.
  json::value call(const std::string& method, const std::string& target,
                   const json::value& body = nullptr) {
    return db_.admin(*instances_[0])(method, target, body);
  }
  std::string checkout(TestServer& on, const std::string& fields) {
    LineClient seat(on.port());
    return status_of(seat.request("CHECKOUT code=" + code_ + " " + fields));
  }

  TempDir dir_;
  SharedPostgres db_{dir_.path(), "lmp_policy_"};
  std::unique_ptr<TestServer> instances_[3];
  CustomerLicense made_;
  std::string path_;
  std::string code_;
};

TEST_F(SharedSitePolicy, AUsersMaxHoldsAcrossInstancesEvenAtOnce) {
  call("PUT", path_, {{"max", json::array{json::object{{"for", "user:*"}, {"units", 2}}}}});
  // One after the other, each on another instance.
  EXPECT_EQ(checkout(*instances_[0], "user=ann host=a0"), "OK");
  EXPECT_EQ(checkout(*instances_[1], "user=ann host=a1"), "OK");
  EXPECT_EQ(checkout(*instances_[2], "user=ann host=a2"), "over_limit");

  // Twelve at once, four on each instance: two get through.
  std::atomic<int> granted{0}, over{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 12; ++i)
    threads.emplace_back([&, i] {
      const auto answer = checkout(*instances_[i % 3], "user=bob host=b" + std::to_string(i));
      if (answer == "OK") ++granted;
      if (answer == "over_limit") ++over;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), 2);
  EXPECT_EQ(over.load(), 10);
  EXPECT_EQ(db_.count("SELECT COUNT(*) FROM leases WHERE user_name = 'bob'"), 2);
}

// A customer with two licenses of the product: a max and a reservation count over both
// together, whichever instance and license each checkout reaches, also when they all arrive at
// once (each checkout locks the customer's licenses of the product in the same order).
TEST_F(SharedSitePolicy, MaxAndReserveHoldAcrossTheCustomersLicensesAndInstances) {
  const auto second = add_customer_license(db_.admin(*instances_[0]), made_.customer, 20);
  call("PUT", path_,
       {{"max", json::array{json::object{{"for", "user:*"}, {"units", 2}}}},
        {"reserve", json::array{json::object{{"for", "user:ann"}, {"units", 5}}}}});
  const auto on = [&](TestServer& instance, const std::string& code, const std::string& fields) {
    LineClient seat(instance.port());
    return seat.request("CHECKOUT code=" + code + " " + fields);
  };
  EXPECT_EQ(status_of(on(*instances_[0], code_, "user=ann host=a0")), "OK");
  EXPECT_EQ(status_of(on(*instances_[1], second.code, "user=ann host=a1")), "OK");
  EXPECT_EQ(status_of(on(*instances_[2], second.code, "user=ann host=a2")), "over_limit");
  EXPECT_EQ(status_of(on(*instances_[2], code_, "user=ann host=a2")), "over_limit");

  // Twelve at once, on three instances and both licenses: two get through.
  std::atomic<int> granted{0}, over{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 12; ++i)
    threads.emplace_back([&, i] {
      const auto answer = status_of(on(*instances_[i % 3], i % 2 == 0 ? code_ : second.code,
                                       "user=bob host=b" + std::to_string(i)));
      if (answer == "OK") ++granted;
      if (answer == "over_limit") ++over;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), 2);
  EXPECT_EQ(over.load(), 10);
  EXPECT_EQ(db_.count("SELECT COUNT(*) FROM leases WHERE user_name = 'bob'"), 2);

  // 4 of the 40 in use (ann's 2, bob's 2); ann's reservation of 5 keeps 3 more for her: others
  // may take 33, spread over both licenses, and no more.
  EXPECT_EQ(status_of(on(*instances_[0], code_, "host=pool units=16")), "OK");
  EXPECT_EQ(status_of(on(*instances_[1], second.code, "host=pool2 units=17")), "OK");
  const auto held_back = on(*instances_[2], second.code, "host=pool3");
  EXPECT_EQ(status_of(held_back), "no_seats") << held_back;
  EXPECT_EQ(fields_of(held_back).at("reserved"), "3") << held_back;
}

TEST_F(SharedSitePolicy, APolicySetThroughOneInstanceAppliesOnTheOthersAtOnce) {
  EXPECT_EQ(checkout(*instances_[2], "user=eve host=e0"), "OK");
  call("PUT", path_, {{"exclude", json::array{"user:eve"}}});
  EXPECT_EQ(checkout(*instances_[1], "user=eve host=e1"), "not_allowed");
  EXPECT_EQ(checkout(*instances_[2], "user=eve host=e2"), "not_allowed");
  call("DELETE", path_);
  EXPECT_EQ(checkout(*instances_[1], "user=eve host=e1"), "OK");
}

TEST_F(SharedSitePolicy, ALingeringUnitIsHeldForItsHolderOnEveryInstance) {
  call("PUT", path_, {{"linger", 30}});
  LineClient first(instances_[0]->port()), second(instances_[1]->port()),
      third(instances_[2]->port());
  const std::string checkout = "CHECKOUT code=" + code_ + " ";
  ASSERT_EQ(status_of(first.request(checkout + "user=zed host=z1 units=19")), "OK");
  const auto ann = fields_of(first.request(checkout + "user=ann host=ws1"));
  ASSERT_EQ(ann.count("lease"), 1u);
  const std::string lease = ann.at("lease");
  // Checked in through another instance: it lingers in the database, for every instance.
  EXPECT_EQ(status_of(second.request("CHECKIN lease=" + lease)), "OK");
  EXPECT_EQ(db_.count("SELECT COUNT(*) FROM leases WHERE lingering = 1"), 1);
  EXPECT_EQ(status_of(third.request(checkout + "user=bob host=b1")), "no_seats");
  EXPECT_EQ(status_of(third.request("HEARTBEAT lease=" + lease)), "lease_unknown");
  const auto again = fields_of(third.request(checkout + "user=ann host=ws1"));
  ASSERT_EQ(again.count("lease"), 1u);
  EXPECT_EQ(again.at("lease"), lease);
  EXPECT_EQ(status_of(first.request("HEARTBEAT lease=" + lease)), "OK");

  EXPECT_EQ(status_of(first.request("CHECKIN lease=" + lease)), "OK");
  for (auto& instance : instances_) instance->advance_seconds(31);
  EXPECT_EQ(status_of(second.request(checkout + "user=bob host=b1")), "OK");
}

}  // namespace
}  // namespace lmp::test
