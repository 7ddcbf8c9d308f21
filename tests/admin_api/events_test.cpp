// The event outbox through the real listener on a ManualClock, on each storage backend: a
// license's notice, grace and expiry events raised once each by the sweep as time passes, each
// account seeing only its subtree's events, the products' End of Sale and End of Life
// approaching, a clock set back raising nothing twice; and on a PostgreSQL database shared by
// two instances, every event raised exactly once between their sweeps.
#include <soci/soci.h>

#include <chrono>
#include <regex>
#include <set>
#include <thread>

#include "admin_fixture.hpp"
#include "shared_postgres.hpp"

namespace lmp::test {
namespace {

namespace json = boost::json;

// The `type` of every item of a page of /v1/events, in order.
std::vector<std::string> types_of(const json::value& page) {
  std::vector<std::string> out;
  for (const auto& item : page.at("items").as_array())
    out.emplace_back(item.at("type").as_string());
  return out;
}

class Events : public AdminApiTest {
 protected:
  void configure(config::Config& config) override {
    config.events.sweep_interval_ms = kTestEventSweepMs;
  }
  void advance_days(std::int64_t days, std::int64_t seconds = 0) {
    server_->advance_seconds(days * kDay + seconds);
    wait_for_event_sweep();
  }
  json::value events(const std::string& token, const std::string& query = "") {
    return ok(token, "GET", "/v1/events" + query);
  }
  json::object make_license(std::int64_t customer, json::object terms) {
    terms["customer"] = customer;
    terms["product"] = "cad";
    terms["units"] = 2;
    return ok(root_token_, "POST", "/v1/licenses", terms).as_object();
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, Events, kStorageBackends, backend_name);

TEST_P(Events, ALicenseIsToldOfAtItsNoticeDaysGraceAndExpiryOnceEach) {
  wait_for_event_sweep();  // the first sweep of a database looks back a day only
  const auto customer = make_customer("acme", 0);
  const auto license = make_license(
      customer, {{"expires", kNow + 11 * kDay}, {"notice_days", 3}, {"grace_days", 5}});
  const auto id = license.at("id").as_int64();

  advance_days(7);  // 4 days before expiry: not yet in the notice window
  EXPECT_TRUE(types_of(events(root_token_)).empty());
  advance_days(1, 1);  // a second into the 3-day notice window
  advance_days(0, 3600);
  auto page = events(root_token_);
  ASSERT_EQ(types_of(page), std::vector<std::string>{"license.expiring"});
  const auto& expiring = page.at("items").as_array()[0];
  EXPECT_TRUE(
      std::regex_match(std::string(expiring.at("id").as_string()), std::regex("evt_[0-9a-f]{32}")))
      << expiring;
  EXPECT_EQ(expiring.at("data").at("license"), id);
  EXPECT_EQ(expiring.at("data").at("customer"), customer);
  EXPECT_EQ(expiring.at("data").at("product"), "cad");
  EXPECT_EQ(expiring.at("data").at("expires"), kNow + 11 * kDay);
  EXPECT_EQ(expiring.at("data").at("days_left"), 3);
  EXPECT_EQ(expiring.at("scope").as_string(), "/1/c" + std::to_string(customer) + "/");

  advance_days(3);  // past expiry, into the grace
  advance_days(5);  // past the grace
  page = events(root_token_);
  EXPECT_EQ(types_of(page), (std::vector<std::string>{"license.expiring", "license.grace_entered",
                                                      "license.expired"}));
  std::set<std::string> ids;
  for (const auto& item : page.at("items").as_array()) ids.emplace(item.at("id").as_string());
  EXPECT_EQ(ids.size(), 3u);
  // More sweeps, and later days, raise nothing again.
  advance_days(1);
  sleep_through_event_sweeps(5);
  EXPECT_EQ(events(root_token_).at("items").as_array().size(), 3u);
  EXPECT_EQ(types_of(events(root_token_, "?type=license.expired")),
            std::vector<std::string>{"license.expired"});

  // Renewed, the license is told of again for its new expiry date.
  ok(root_token_, "POST", "/v1/licenses/" + std::to_string(id) + "/renew", {{"days", 4}});
  advance_days(2);
  advance_days(3);
  EXPECT_EQ(types_of(events(root_token_, "?type=license.expiring")),
            (std::vector<std::string>{"license.expiring", "license.expiring"}));
  EXPECT_EQ(types_of(events(root_token_, "?type=license.expired")),
            (std::vector<std::string>{"license.expired"}));
}

TEST_P(Events, PagesFollowTheOrderEventsWereStoredIn) {
  wait_for_event_sweep();
  const auto customer = make_customer("acme", 0);
  for (int i = 0; i < 5; ++i) make_license(customer, {{"expires", kNow + kDay + i * 60}});
  advance_days(1, 3600);
  auto first = events(root_token_, "?limit=2");
  ASSERT_EQ(first.at("items").as_array().size(), 2u);
  ASSERT_TRUE(first.at("next").is_string());
  auto second = events(root_token_, "?limit=10&after=" + std::string(first.at("next").as_string()));
  ASSERT_EQ(second.at("items").as_array().size(), 3u);
  EXPECT_TRUE(second.at("next").is_null());
  EXPECT_LT(first.at("items").as_array()[1].at("seq").as_int64(),
            second.at("items").as_array()[0].at("seq").as_int64());
}

TEST_P(Events, EachAccountSeesOnlyItsSubtreesEvents) {
  wait_for_event_sweep();
  const auto fabrikam = make_partner("fabrikam", "msp");
  const auto tailspin = make_partner("tailspin", "msp");
  const auto contoso = make_customer("contoso", fabrikam);
  const auto northwind = make_customer("northwind", tailspin);
  const auto own = make_customer("own", 0);
  for (auto customer : {contoso, northwind, own}) make_license(customer, {{"days", 2}});
  const auto fabrikam_admin = make_user("fabrikam-admin", "account", fabrikam);
  const auto contoso_user = make_user("contoso-user", "customer", contoso);
  advance_days(2, 60);

  auto customers_of = [](const json::value& page) {
    std::set<std::int64_t> out;
    for (const auto& item : page.at("items").as_array())
      out.insert(item.at("data").at("customer").as_int64());
    return out;
  };
  EXPECT_EQ(customers_of(events(root_token_)), (std::set<std::int64_t>{contoso, northwind, own}));
  EXPECT_EQ(customers_of(events(fabrikam_admin.token)), std::set<std::int64_t>{contoso});
  EXPECT_EQ(customers_of(events(contoso_user.token)), std::set<std::int64_t>{contoso});
  EXPECT_EQ(customers_of(events(root_token_, "?account=" + std::to_string(tailspin))),
            std::set<std::int64_t>{northwind});
  EXPECT_EQ(
      call(fabrikam_admin.token, "GET", "/v1/events?account=" + std::to_string(tailspin)).status,
      404);
  EXPECT_EQ(
      call(fabrikam_admin.token, "GET", "/v1/events?customer=" + std::to_string(northwind)).status,
      404);
  EXPECT_EQ(call("", "GET", "/v1/events").status, 401);
}

TEST_P(Events, EndOfSaleAndEndOfLifeApproachingAreToldOncePerDate) {
  wait_for_event_sweep();
  const auto fabrikam = make_partner("fabrikam", "msp");
  const auto fabrikam_admin = make_user("fabrikam-admin", "account", fabrikam);
  ok(root_token_, "POST", "/v1/products/cad/end-of-sale", {{"at", kNow + 40 * kDay}});
  ok(root_token_, "POST", "/v1/products/cad/end-of-life", {{"at", kNow + 100 * kDay}});
  advance_days(5);
  EXPECT_TRUE(types_of(events(root_token_)).empty());
  advance_days(6);  // 29 days before End of Sale
  auto page = events(root_token_);
  ASSERT_EQ(types_of(page), std::vector<std::string>{"product.end_of_sale_approaching"});
  EXPECT_EQ(page.at("items").as_array()[0].at("data").at("end_of_sale"), kNow + 40 * kDay);
  EXPECT_EQ(page.at("items").as_array()[0].at("data").at("product"), "cad");
  EXPECT_TRUE(types_of(events(fabrikam_admin.token)).empty()) << "products are the parent's";
  // An End of Life moved closer than the notice is told at once, and once.
  ok(root_token_, "POST", "/v1/products/cad/end-of-life", {{"at", kNow + 40 * kDay + 3600}});
  advance_days(0, 60);
  advance_days(0, 60);
  EXPECT_EQ(types_of(events(root_token_)),
            (std::vector<std::string>{"product.end_of_sale_approaching",
                                      "product.end_of_life_approaching"}));
}

TEST_P(Events, AClockSetBackRaisesNothingTwice) {
  wait_for_event_sweep();
  const auto customer = make_customer("acme", 0);
  make_license(customer, {{"expires", kNow + 2 * kDay}});
  advance_days(2, 60);
  ASSERT_EQ(types_of(events(root_token_)), std::vector<std::string>{"license.expired"});
  const std::int64_t mark = event_sweep_mark();
  server_->step_wall_clock_seconds(-3 * kDay);
  sleep_through_event_sweeps(5);
  EXPECT_EQ(event_sweep_mark(), mark) << "the mark never goes back";
  server_->step_wall_clock_seconds(3 * kDay + 60);
  wait_for_event_sweep();
  EXPECT_EQ(types_of(events(root_token_)), std::vector<std::string>{"license.expired"});
}

class SharedEvents : public ::testing::Test {
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
  std::int64_t count(const std::string& query) { return db_.count(query); }

  TempDir dir_;
  SharedPostgres db_{dir_.path(), "lmp_events_"};
  std::string token_;
  std::unique_ptr<TestServer> a_, b_;
};

TEST_F(SharedEvents, TwoInstancesRaiseEachEventOnce) {
  // Each instance's first sweep looks back a day only: let both run before time moves.
  const auto deadline0 = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (count("SELECT value FROM counters WHERE name = 'event_sweep_mark'") == 0 &&
         std::chrono::steady_clock::now() < deadline0)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto customer = id_of(ok(*a_, "POST", "/v1/customers", {{"name", "acme"}}));
  constexpr int kLicenses = 40;
  // Each date falls inside a step, a day from the clocks at either end (the notice at +7 days,
  // the expiry at +9, the grace's end at +10).
  for (int i = 0; i < kLicenses; ++i)
    ok(i % 2 ? *a_ : *b_, "POST", "/v1/licenses",
       {{"customer", customer},
        {"product", "cad"},
        {"units", 1},
        {"expires", kNow + 9 * kDay + i},
        {"notice_days", 2},
        {"grace_days", 1}});
  // Step by step, both instances sweeping every kTestEventSweepMs each, their clocks a little
  // apart; each step lasts a sweep and a bit of each, and at least until the instance ahead has
  // swept at its new time. A notice is told only while the license has not expired, so a step
  // without a sweep (a loaded machine: TSan, four tests at once) made the next sweep find a
  // notice and its expiry in one window and tell no notice (seen: 119 events of 120).
  for (int step = 0; step < 6; ++step) {
    a_->advance_seconds(2 * kDay);
    b_->advance_seconds(2 * kDay - 30);
    std::this_thread::sleep_for(std::chrono::milliseconds(13 * kTestEventSweepMs / 10));
    const std::int64_t a_now = a_->clock().now_unix_ms();
    const auto swept_by = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (count("SELECT value FROM counters WHERE name = 'event_sweep_mark'") < a_now &&
           std::chrono::steady_clock::now() < swept_by)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (count("SELECT COUNT(*) FROM events") < 3 * kLicenses &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  sleep_through_event_sweeps(5);  // more sweeps of both raise nothing more
  EXPECT_EQ(count("SELECT COUNT(*) FROM events"), 3 * kLicenses);
  EXPECT_EQ(count("SELECT COUNT(DISTINCT dedupe_key) FROM events"), 3 * kLicenses);
  EXPECT_EQ(count("SELECT COUNT(*) FROM events WHERE type = 'license.expiring'"), kLicenses);
  EXPECT_EQ(count("SELECT COUNT(*) FROM events WHERE type = 'license.expired'"), kLicenses);
  EXPECT_EQ(ok(*b_, "GET", "/v1/events?limit=1000").at("items").as_array().size(),
            static_cast<std::size_t>(3 * kLicenses));
}

}  // namespace
}  // namespace lmp::test
