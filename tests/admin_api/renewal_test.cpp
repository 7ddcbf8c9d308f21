// Auto-renewal at expiry through the real listener on a ManualClock, on each storage backend: a
// license redeemed from a partner's plan with auto-renewal renews at its expiry for the plan's
// period, its units drawn again from the partner's pool, audited as the server's and told of (in
// the event list and to a webhook); a pool too small renews nothing, says why and lets the license
// go to grace and expiry; a clock set back renews nothing twice; lmpd down for longer than a
// period renews once, from now; a manual renewal draws from the pool too (and `lmpd admin
// renew-license` renews by the plan's period); and on a PostgreSQL
// database shared by three instances each license renews exactly once.
#include <boost/json/parse.hpp>
#include <chrono>
#include <sstream>
#include <thread>

#include "admin/admin_cli.hpp"
#include "admin_fixture.hpp"
#include "shared_postgres.hpp"
#include "support/webhook_receiver.hpp"

namespace lmp::test {
namespace {

namespace json = boost::json;

constexpr std::int64_t kPeriodDays = 30;

// The `type` of every item of a page of /v1/events, in order.
std::vector<std::string> event_types(const json::value& page) {
  std::vector<std::string> out;
  for (const auto& item : page.at("items").as_array())
    out.emplace_back(item.at("type").as_string());
  return out;
}

// The plan the partner sells cad on: 30 days, auto-renewal, two days of grace.
json::object monthly_plan() {
  return {{"name", "cad-monthly"},      {"product", "cad"},   {"trial", false},
          {"period_days", kPeriodDays}, {"auto_renew", true}, {"grace_days", 2}};
}

class Renewal : public AdminApiTest {
 protected:
  void configure(config::Config& config) override {
    config.events.sweep_interval_ms = kTestEventSweepMs;
  }
  // The audit records of license `id`'s renewals, newest first.
  json::array renewals_audited(std::int64_t id) {
    return ok(root_token_, "GET",
              "/v1/audit?action=license.renew&object=license:" + std::to_string(id))
        .at("items")
        .as_array();
  }
  void SetUp() override {
    AdminApiTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    wait_for_event_sweep();  // the first sweep of a database looks back a day only
    msp_ = make_partner("fabrikam", "msp");
    msp_admin_ = make_user("fabrikam-admin", "account", msp_).token;
    set_pool(5);
    plan_ = id_of(ok(msp_admin_, "POST", "/v1/plans", monthly_plan()));
  }
  void set_pool(std::int64_t units) {
    ok(root_token_, "PUT", "/v1/partners/" + std::to_string(msp_) + "/pools/cad",
       {{"units", units}});
  }
  std::int64_t drawn() {
    return ok(msp_admin_, "GET", "/v1/partners/" + std::to_string(msp_) + "/pools")
        .at("items")
        .at(0)
        .at("drawn")
        .as_int64();
  }
  // A license of `units` that customer `name` redeems from a key the partner issues on its plan
  // (the partner's pool pays for the key).
  std::int64_t redeemed_license(const std::string& name, std::int64_t units) {
    auto keys = ok(msp_admin_, "POST", "/v1/registration-keys", {{"plan", plan_}, {"units", units}})
                    .at("keys")
                    .as_array();
    auto redeemed = ok("", "POST", "/v1/registration-keys/redeem",
                       {{"key", keys.at(0).at("key")}, {"customer", name}});
    return redeemed.at("license").at("id").as_int64();
  }
  json::value license(std::int64_t id) {
    return ok(root_token_, "GET", "/v1/licenses/" + std::to_string(id));
  }
  json::value events(const std::string& token, const std::string& query = "") {
    return ok(token, "GET", "/v1/events?limit=1000" + query);
  }
  void advance(std::int64_t seconds) {
    server_->advance_seconds(seconds);
    wait_for_event_sweep();
  }

  std::int64_t msp_ = 0;
  std::string msp_admin_;
  std::int64_t plan_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, Renewal, kStorageBackends, backend_name);

TEST_P(Renewal, RenewsAtItsExpiryForThePlansPeriodDrawingFromThePartnersPool) {
  set_pool(6);  // the key and two renewals
  const auto id = redeemed_license("acme", 2);
  EXPECT_EQ(drawn(), 2);
  EXPECT_EQ(license(id).at("auto_renew"), true);
  EXPECT_EQ(license(id).at("expires"), kNow + kPeriodDays * kDay);

  advance(kPeriodDays * kDay - 60);  // a minute before its expiry: nothing yet
  EXPECT_EQ(license(id).at("expires"), kNow + kPeriodDays * kDay);
  EXPECT_EQ(drawn(), 2);
  advance(120);
  auto renewed = license(id);
  EXPECT_EQ(renewed.at("expires"), kNow + 2 * kPeriodDays * kDay) << "from the old expiry: no gap";
  EXPECT_EQ(renewed.at("state"), "active");
  EXPECT_EQ(drawn(), 4) << "the two units are sold again for the new period";

  // Told of, to the partner too (its subtree), and not as entering grace.
  auto page = events(msp_admin_);
  ASSERT_EQ(event_types(page), std::vector<std::string>{"license.renewed"});
  const auto& data = page.at("items").at(0).at("data");
  EXPECT_EQ(data.at("license"), id);
  EXPECT_EQ(data.at("expires"), kNow + 2 * kPeriodDays * kDay);
  EXPECT_EQ(data.at("previous_expires"), kNow + kPeriodDays * kDay);
  EXPECT_EQ(data.at("period_days"), kPeriodDays);
  EXPECT_EQ(data.at("pool_account"), msp_);
  EXPECT_EQ(event_types(events(root_token_)), std::vector<std::string>{"license.renewed"});

  // Audited with before and after, the server as its actor.
  auto audit = renewals_audited(id);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].at("actor").at("scope"), "server");
  EXPECT_TRUE(audit[0].at("actor").at("user").is_null());
  EXPECT_EQ(audit[0].at("before").at("expires"), kNow + kPeriodDays * kDay);
  EXPECT_EQ(audit[0].at("after").at("expires"), kNow + 2 * kPeriodDays * kDay);

  // More sweeps renew nothing more until the new expiry; then it renews again.
  sleep_through_event_sweeps(5);
  EXPECT_EQ(drawn(), 4);
  advance(kPeriodDays * kDay);
  EXPECT_EQ(license(id).at("expires"), kNow + 3 * kPeriodDays * kDay);
  EXPECT_EQ(drawn(), 6);
  EXPECT_EQ(event_types(events(root_token_)),
            (std::vector<std::string>{"license.renewed", "license.renewed"}));
}

TEST_P(Renewal, APoolTooSmallRenewsNothingSaysWhyAndTheLicenseExpiresAsBefore) {
  set_pool(3);
  const auto id = redeemed_license("acme", 2);
  advance(kPeriodDays * kDay + 60);
  auto after = license(id);
  EXPECT_EQ(after.at("expires"), kNow + kPeriodDays * kDay);
  EXPECT_EQ(after.at("state"), "in_grace");
  EXPECT_EQ(drawn(), 2) << "a renewal that does not happen draws nothing";
  auto page = events(msp_admin_);
  ASSERT_EQ(event_types(page),
            (std::vector<std::string>{"license.renewal_failed", "license.grace_entered"}));
  const auto& data = page.at("items").at(0).at("data");
  EXPECT_EQ(data.at("reason"), "pool_exhausted");
  EXPECT_EQ(data.at("pool_short_by"), 1);
  EXPECT_EQ(data.at("pool_account"), msp_);
  EXPECT_EQ(data.at("expires"), kNow + kPeriodDays * kDay);
  EXPECT_NE(data.at("message").as_string(), "");

  advance(2 * kDay);  // past its grace
  EXPECT_EQ(license(id).at("state"), "expired");
  sleep_through_event_sweeps(5);
  EXPECT_EQ(event_types(events(root_token_)),
            (std::vector<std::string>{"license.renewal_failed", "license.grace_entered",
                                      "license.expired"}))
      << "one failure told, not one a sweep";

  // A manual renewal by the partner sells the period from the same pool.
  const std::string renew = "/v1/licenses/" + std::to_string(id) + "/renew";
  EXPECT_EQ(call(msp_admin_, "POST", renew, json::object{}).error_code(), "pool_exhausted");
  EXPECT_EQ(license(id).at("state"), "expired");
  set_pool(4);
  auto renewed = ok(msp_admin_, "POST", renew, json::object{});
  EXPECT_EQ(renewed.at("state"), "active");
  EXPECT_EQ(renewed.at("expires"), kNow + (kPeriodDays + 2 + kPeriodDays) * kDay + 60)
      << "lapsed: the plan's period from now";
  EXPECT_EQ(drawn(), 4);
}

TEST_P(Renewal, AFailedRenewalIsTriedAgainInItsGraceAndRenewsWithNoGapWhenThePoolGrows) {
  set_pool(3);
  const auto id = redeemed_license("acme", 2);
  advance(kPeriodDays * kDay + 60);
  EXPECT_EQ(license(id).at("state"), "in_grace");
  advance(600);  // tried again at each sweep: still too small, and told once
  EXPECT_EQ(license(id).at("state"), "in_grace");
  EXPECT_EQ(drawn(), 2);
  EXPECT_EQ(event_types(events(root_token_)),
            (std::vector<std::string>{"license.renewal_failed", "license.grace_entered"}));

  set_pool(4);  // the partner tops its pool up while the license is in its grace
  advance(60);
  auto renewed = license(id);
  EXPECT_EQ(renewed.at("expires"), kNow + 2 * kPeriodDays * kDay) << "from the old expiry";
  EXPECT_EQ(renewed.at("state"), "active");
  EXPECT_EQ(drawn(), 4);
  EXPECT_EQ(event_types(events(root_token_)),
            (std::vector<std::string>{"license.renewal_failed", "license.grace_entered",
                                      "license.renewed"}));
  EXPECT_EQ(renewals_audited(id).size(), 1u);
}

// Made without a plan, a license renews for its own period: the days it was made for, or the
// `period_days` asked for. Without one, a renewal's default was the length of the current term,
// which grows with each renewal (10 days, then 20, then 40).
TEST_P(Renewal, ALicenseMadeWithoutAPlanRenewsForItsOwnPeriodWhichDoesNotGrow) {
  const auto customer = make_customer("acme", 0);
  auto made = ok(root_token_, "POST", "/v1/licenses",
                 {{"customer", customer},
                  {"product", "cad"},
                  {"units", 1},
                  {"days", 10},
                  {"auto_renew", true},
                  {"grace_days", 1}});
  const auto id = made.at("id").as_int64();
  const std::int64_t starts = made.at("starts").as_int64();
  EXPECT_EQ(made.at("period_days"), 10);

  advance(10 * kDay + 60);  // renews itself at its expiry
  EXPECT_EQ(license(id).at("expires"), starts + 20 * kDay);
  EXPECT_EQ(event_types(events(root_token_)), std::vector<std::string>{"license.renewed"});

  const std::string renew = "/v1/licenses/" + std::to_string(id) + "/renew";
  EXPECT_EQ(ok(root_token_, "POST", renew, json::object{}).at("expires"), starts + 30 * kDay);
  EXPECT_EQ(ok(root_token_, "POST", renew, json::object{}).at("expires"), starts + 40 * kDay);

  auto weekly = ok(
      root_token_, "POST", "/v1/licenses",
      {{"customer", customer}, {"product", "cad"}, {"units", 1}, {"days", 30}, {"period_days", 7}});
  EXPECT_EQ(weekly.at("period_days"), 7);
  const std::string renew_weekly = "/v1/licenses/" + std::to_string(weekly.at("id").as_int64());
  EXPECT_EQ(ok(root_token_, "POST", renew_weekly + "/renew", json::object{}).at("expires"),
            weekly.at("expires").as_int64() + 7 * kDay);
  EXPECT_EQ(call(root_token_, "POST", "/v1/licenses",
                 {{"customer", customer},
                  {"product", "cad"},
                  {"units", 1},
                  {"days", 30},
                  {"period_days", 0}})
                .error_code(),
            "bad_request");
}

TEST_P(Renewal, AClockSetBackRenewsNothingTwice) {
  const auto id = redeemed_license("acme", 2);
  advance(kPeriodDays * kDay + 60);
  ASSERT_EQ(license(id).at("expires"), kNow + 2 * kPeriodDays * kDay);
  ASSERT_EQ(drawn(), 4);
  server_->step_wall_clock_seconds(-2 * kDay);
  sleep_through_event_sweeps(5);
  server_->step_wall_clock_seconds(2 * kDay + 60);
  wait_for_event_sweep();
  EXPECT_EQ(license(id).at("expires"), kNow + 2 * kPeriodDays * kDay);
  EXPECT_EQ(drawn(), 4);
  EXPECT_EQ(event_types(events(root_token_)), std::vector<std::string>{"license.renewed"});
}

TEST_P(Renewal, AfterLmpdWasDownLongerThanAPeriodALicenseRenewsOnceFromNow) {
  const auto id = redeemed_license("acme", 2);
  // 75 days pass unseen (one jump of the clock: the sweep sees it as lmpd down meanwhile).
  advance(75 * kDay);
  EXPECT_EQ(license(id).at("expires"), kNow + (75 + kPeriodDays) * kDay);
  EXPECT_EQ(license(id).at("state"), "active");
  EXPECT_EQ(drawn(), 4) << "one period sold, not the ones nobody could use";
  EXPECT_EQ(event_types(events(root_token_)), std::vector<std::string>{"license.renewed"});
}

TEST_P(Renewal, AWebhookReceivesTheRenewalSigned) {
  WebhookReceiver receiver;
  auto created = ok(msp_admin_, "POST", "/v1/webhooks", {{"url", receiver.url()}});
  receiver.set_secret(std::string(created.at("secret").as_string()));
  const auto id = redeemed_license("acme", 2);
  advance(kPeriodDays * kDay + 60);
  ASSERT_TRUE(receiver.wait_for(1, 30));
  const auto got = receiver.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].signature_ok);
  EXPECT_EQ(got[0].event_type, "license.renewed");
  const auto body = json::parse(got[0].body);
  EXPECT_EQ(body.at("data").at("license"), id);
  EXPECT_EQ(body.at("data").at("expires"), kNow + 2 * kPeriodDays * kDay);
}

TEST_P(Renewal, LmpdAdminRenewsALicenseByItsPlansPeriodOrTheDaysGiven) {
  const auto id = redeemed_license("acme", 2);
  const auto cli_config = dir_.path() / "cli.yaml";
  write_cli_config(cli_config, config_.storage);
  auto admin = [&](std::vector<std::string> words, std::string& printed) {
    words.insert(words.begin(), {"--config", cli_config.string(), "renew-license"});
    std::ostringstream out, err;
    const int status = admin::run_admin(words, "", server_->clock(), out, err);
    printed = out.str() + err.str();
    return status;
  };
  std::string printed;
  ASSERT_EQ(admin({std::to_string(id)}, printed), 0) << printed;
  EXPECT_NE(printed.find("expires 2026-03-02"), std::string::npos) << printed;
  EXPECT_EQ(license(id).at("expires"), kNow + 2 * kPeriodDays * kDay);
  ASSERT_EQ(admin({std::to_string(id), "--days", "10"}, printed), 0) << printed;
  EXPECT_EQ(license(id).at("expires"), kNow + (2 * kPeriodDays + 10) * kDay);
  EXPECT_EQ(drawn(), 2) << "the local operator sells as the parent: from no pool";
  auto audit = renewals_audited(id);
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].at("actor").at("scope"), "cli");
  // Times as everywhere on the command lines: an ISO date (UTC midnight) or Unix seconds.
  ASSERT_EQ(admin({std::to_string(id), "--expires", "2027-01-01"}, printed), 0) << printed;
  EXPECT_EQ(license(id).at("expires"), 1798761600);
  EXPECT_EQ(admin({"nope"}, printed), 2);
  EXPECT_EQ(admin({"999999"}, printed), 1);
  EXPECT_NE(printed.find("(not_found)"), std::string::npos) << printed;
}

// Three instances on one PostgreSQL database, their clocks on the same second and a little apart,
// each sweeping every kTestEventSweepMs: each license renews exactly once, once drawn, once
// audited.
class SharedRenewal : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!db_.available()) GTEST_SKIP() << "LMP_TEST_POSTGRES is not set";
    auto config = db_.config();
    config.events.sweep_interval_ms = kTestEventSweepMs;
    for (auto& server : servers_) server = std::make_unique<TestServer>(config);
  }
  void TearDown() override {
    for (auto& server : servers_) server.reset();
  }
  json::value ok(const TestServer& on, const std::string& token, const std::string& method,
                 const std::string& target, const json::value& body = nullptr) {
    auto reply = admin_call(on.admin_port(), token, method, target, body);
    EXPECT_EQ(reply.status, 200) << method << " " << target << ": " << reply.body;
    return reply.json();
  }
  std::int64_t count(const std::string& query) { return db_.count(query); }

  TempDir dir_;
  SharedPostgres db_{dir_.path(), "lmp_renewal_"};
  std::array<std::unique_ptr<TestServer>, 3> servers_;
};

TEST_F(SharedRenewal, ThreeInstancesRenewEachLicenseOnce) {
  const auto deadline0 = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (count("SELECT value FROM counters WHERE name = 'event_sweep_mark'") == 0 &&
         std::chrono::steady_clock::now() < deadline0)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto& a = *servers_[0];
  const std::string root = db_.token();
  const auto msp =
      id_of(ok(a, root, "POST", "/v1/partners", {{"name", "fabrikam"}, {"kind", "msp"}}));
  const std::string msp_admin =
      std::string(ok(a, root, "POST", "/v1/users", {{"name", "fabrikam-admin"}, {"account", msp}})
                      .at("token")
                      .at("token")
                      .as_string());
  constexpr int kLicenses = 24;
  ok(a, root, "PUT", "/v1/partners/" + std::to_string(msp) + "/pools/cad",
     {{"units", 2 * kLicenses}});
  const auto plan = id_of(ok(a, msp_admin, "POST", "/v1/plans", monthly_plan()));
  const auto keys = ok(a, msp_admin, "POST", "/v1/registration-keys",
                       {{"plan", plan}, {"units", 1}, {"count", kLicenses}})
                        .at("keys")
                        .as_array();
  for (int i = 0; i < kLicenses; ++i)
    ok(*servers_[i % 3], "", "POST", "/v1/registration-keys/redeem",
       {{"key", keys.at(i).at("key")}, {"customer", "customer-" + std::to_string(i)}});
  ASSERT_EQ(count("SELECT COUNT(*) FROM licenses"), kLicenses);

  // All three reach the expiry on the same second; then a second apart, twice. Each pause lasts
  // a sweep of each and a bit, as 1.5 s and 1.3 s did at lmpd's default interval.
  for (auto& server : servers_) server->advance_seconds(kPeriodDays * kDay);
  std::this_thread::sleep_for(std::chrono::milliseconds(15 * kTestEventSweepMs / 10));
  for (int step = 0; step < 2; ++step) {
    for (std::size_t i = 0; i < servers_.size(); ++i) servers_[i]->advance_seconds(1 + i);
    std::this_thread::sleep_for(std::chrono::milliseconds(13 * kTestEventSweepMs / 10));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (count("SELECT COUNT(*) FROM events WHERE type = 'license.renewed'") < kLicenses &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  sleep_through_event_sweeps(5);  // more sweeps of all three renew nothing more
  EXPECT_EQ(count("SELECT COUNT(*) FROM events WHERE type = 'license.renewed'"), kLicenses);
  EXPECT_EQ(count("SELECT COUNT(*) FROM events WHERE type <> 'license.renewed'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'license.renew'"), kLicenses);
  EXPECT_EQ(count("SELECT drawn FROM partner_pools"), 2 * kLicenses);
  EXPECT_EQ(count("SELECT COUNT(*) FROM licenses WHERE expires_at_ms = " +
                  std::to_string((kNow + 2 * kPeriodDays * kDay) * 1000)),
            kLicenses);
}

}  // namespace
}  // namespace lmp::test
