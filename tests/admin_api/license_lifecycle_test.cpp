// Licenses and product lifecycle through the real listener and a ManualClock, on each storage
// backend (a SQLite file, a PostgreSQL database): End of Sale (existing licenses keep working and
// renewing, new ones refused), End of Life by API and by a config date passing (refusals, the
// deletion counted in the database, the audit record), the license states as time moves (with
// the seat path agreeing), unit changes below usage, and trial-to-full conversion.
#include <soci/soci.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "admin/admin_cli.hpp"
#include "admin_fixture.hpp"
#include "support/line_client.hpp"

namespace lmp::test {
namespace {

namespace json = boost::json;

class LicenseLifecycle : public AdminApiTest {
 protected:
  void SetUp() override {
    AdminApiTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    customer_ = make_customer("acme", 0);
  }

  // A license of `product` for the test's customer, made through the API; returns its JSON.
  json::object make_license(json::object terms, const std::string& product = "cad") {
    terms["customer"] = customer_;
    terms["product"] = product;
    if (!terms.contains("units")) terms["units"] = 3;
    if (!terms.contains("days") && !terms.contains("expires")) terms["days"] = 365;
    return ok(root_token_, "POST", "/v1/licenses", terms).as_object();
  }
  std::string path(const json::object& license, const std::string& tail = "") {
    return "/v1/licenses/" + std::to_string(license.at("id").as_int64()) + tail;
  }
  HttpReply seat(const std::string& op, json::object body) {
    HttpClient client(server_->admin_port());
    return client.post("/v1/seat/" + op, body);
  }
  std::string code_of(const json::object& license) {
    return std::string(license.at("code").as_string());
  }
  std::string lease_of(const HttpReply& reply) {
    return std::string(reply.json().at("lease").as_string());
  }
  std::string state_of(const json::object& license) {
    return std::string(ok(root_token_, "GET", path(license)).at("state").as_string());
  }
  std::string seat_state(const json::object& license) {
    return std::string(seat("status", {{"code", code_of(license)}}).json().at("state").as_string());
  }
  // Rows of `table` that belong to licenses of `product`, counted in the database.
  std::int64_t rows_of(const std::string& table, const std::string& product) {
    auto sql = raw_session();
    std::int64_t count = 0;
    if (table == "licenses")
      *sql << "SELECT COUNT(*) FROM licenses WHERE product_code = :p", soci::use(product),
          soci::into(count);
    else
      *sql << "SELECT COUNT(*) FROM " + table +
                  " WHERE license_id IN (SELECT id FROM licenses WHERE product_code = :p)"
                  " OR license_id IN (SELECT license_id FROM retired_licenses WHERE product_code = "
                  ":p2)",
          soci::use(product), soci::use(product), soci::into(count);
    return count;
  }
  json::array deletion_records() {
    return ok(root_token_, "GET", "/v1/audit?action=product.data_deleted").at("items").as_array();
  }

  std::int64_t customer_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, LicenseLifecycle, kStorageBackends, backend_name);

TEST_P(LicenseLifecycle, CreatedLicenseServesAndShowsItsTerms) {
  auto license = make_license({{"grace_days", 7}, {"notice_days", 30}, {"auto_renew", true}});
  EXPECT_EQ(license.at("state"), "active");
  EXPECT_EQ(license.at("units"), 3);
  EXPECT_EQ(license.at("unit"), "seats");
  EXPECT_EQ(license.at("expires"), kNow + 365 * kDay);
  EXPECT_EQ(license.at("grace_days"), 7);
  EXPECT_EQ(license.at("auto_renew"), true);
  ASSERT_EQ(seat("checkout", {{"code", code_of(license)}}).status, 200);
  auto read = ok(root_token_, "GET", path(license));
  EXPECT_EQ(read.at("used"), 1);
  EXPECT_FALSE(read.as_object().contains("code"));  // shown once, at creation
  auto listed = ok(root_token_, "GET", "/v1/licenses?product=cad&state=active").at("items");
  ASSERT_EQ(listed.as_array().size(), 1u);
  EXPECT_EQ(ok(root_token_, "GET", "/v1/licenses?state=expired").at("items").as_array().size(), 0u);
  EXPECT_EQ(call(root_token_, "GET", "/v1/licenses?state=bogus").error_code(), "bad_request");
  EXPECT_EQ(call(root_token_, "POST", "/v1/licenses",
                 {{"customer", customer_}, {"product", "cad"}, {"units", 0}, {"days", 3}})
                .error_code(),
            "bad_request");
  EXPECT_EQ(call(root_token_, "POST", "/v1/licenses",
                 {{"customer", customer_}, {"product", "nope"}, {"units", 1}, {"days", 3}})
                .status,
            404);
}

TEST_P(LicenseLifecycle, EndOfSaleKeepsExistingLicensesAndRefusesNewOnes) {
  auto license = make_license({});
  const auto lease = lease_of(seat("checkout", {{"code", code_of(license)}}));
  auto product = ok(root_token_, "POST", "/v1/products/cad/end-of-sale");
  EXPECT_EQ(product.at("state"), "end_of_sale");
  EXPECT_EQ(product.at("end_of_sale"), kNow);
  EXPECT_EQ(ok(root_token_, "GET", "/v1/products/cad").at("state"), "end_of_sale");

  auto refused = call(root_token_, "POST", "/v1/licenses",
                      {{"customer", customer_}, {"product", "cad"}, {"units", 1}, {"days", 30}});
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.error_code(), "end_of_sale");
  // Existing customers keep using, heartbeating and renewing.
  EXPECT_EQ(seat("heartbeat", {{"lease", lease}}).status, 200);
  EXPECT_EQ(seat("checkout", {{"code", code_of(license)}}).status, 200);
  EXPECT_EQ(seat("activate", {{"code", code_of(license)}}).status, 200);
  EXPECT_EQ(seat_state(license), "end_of_sale");
  auto renewed = ok(root_token_, "POST", path(license, "/renew"), {{"days", 30}});
  EXPECT_EQ(renewed.at("expires"), kNow + 395 * kDay);
  // Units may be taken back, not sold.
  EXPECT_EQ(call(root_token_, "PUT", path(license, "/units"), {{"units", 5}}).error_code(),
            "end_of_sale");
  EXPECT_EQ(ok(root_token_, "PUT", path(license, "/units"), {{"units", 2}}).at("units"), 2);
}

TEST_P(LicenseLifecycle, CommandLineHonoursTheApiEndOfSale) {
  const auto config_file = dir_.path() / "cli.yaml";
  write_cli_config(config_file, config_.storage);
  auto create = [&](std::ostringstream& err) {
    std::ostringstream out;
    return admin::run_admin({"--config", config_file.string(), "create-license", "--customer",
                             "acme", "--product", "cad", "--units", "1"},
                            "", server_->clock(), out, err);
  };
  std::ostringstream before;
  EXPECT_EQ(create(before), 0) << before.str();
  ok(root_token_, "POST", "/v1/products/cad/end-of-sale");
  std::ostringstream after;
  EXPECT_EQ(create(after), 1);
  EXPECT_NE(after.str().find("End of Sale"), std::string::npos) << after.str();
}

TEST_P(LicenseLifecycle, EndOfLifeDeletesTheLicensesClockMarksWithThem) {
  // SQLite may give a deleted license's id to a new license, which must not inherit its mark.
  auto license = make_license({{"expires", kNow + 30}});
  auto other = make_license({{"expires", kNow + 30}}, "agent");
  // Answered after the server's mark is stored, at the epoch; thirty seconds on, each license is
  // judged expired, a change its own mark is written for at once.
  ASSERT_EQ(seat("status", {{"code", code_of(other)}}).status, 200);
  server_->advance_seconds(30);
  ASSERT_EQ(seat("status", {{"code", code_of(license)}}).status, 200);
  ASSERT_EQ(seat("status", {{"code", code_of(other)}}).status, 200);
  ASSERT_EQ(rows_of("license_clock_marks", "cad"), 1);
  ok(root_token_, "POST", "/v1/products/cad/end-of-life");
  EXPECT_EQ(rows_of("license_clock_marks", "cad"), 0);
  EXPECT_EQ(rows_of("license_clock_marks", "agent"), 1);
}

TEST_P(LicenseLifecycle, EndOfLifeByApiRefusesEverythingAndDeletesTheDataInOneGo) {
  auto license = make_license({{"units", 1}});
  auto other = make_license({}, "agent");
  ASSERT_EQ(seat("activate", {{"code", code_of(license)}, {"host", "ws-1"}}).status, 200);
  const auto lease = lease_of(seat("checkout", {{"code", code_of(license)}}));
  ASSERT_EQ(seat("checkout", {{"code", code_of(other)}, {"host", "ws-2"}}).status, 200);
  ASSERT_EQ(rows_of("activations", "cad"), 1);
  ASSERT_EQ(rows_of("leases", "cad"), 1);
  // A checkout waiting for the license's only unit.
  LineClient waiter(server_->port());
  waiter.send("CHECKOUT code=" + code_of(license) + " wait=60");
  EXPECT_EQ(waiter.read_line(std::chrono::milliseconds(300)), std::nullopt);

  auto product = ok(root_token_, "POST", "/v1/products/cad/end-of-life");
  EXPECT_EQ(product.at("state"), "end_of_life");
  EXPECT_EQ(product.at("data_deleted"), kNow);

  for (const auto& op : {"checkout", "activate", "status"}) {
    auto reply = seat(op, {{"code", code_of(license)}});
    EXPECT_EQ(reply.status, 403) << op;
    EXPECT_EQ(reply.error_code(), "end_of_life") << op;
  }
  auto renew = call(root_token_, "POST", path(license, "/renew"), {{"days", 30}});
  EXPECT_EQ(renew.status, 403);
  EXPECT_EQ(renew.error_code(), "end_of_life");
  // The lease went with its license, from the seat path's memory too; its endpoint hears why
  // (protocol 1.1, "Released leases") for a lease duration, then no more of it.
  for (const auto& op : {"heartbeat", "checkin"}) {
    auto revoked = seat(op, {{"lease", lease}});
    EXPECT_EQ(revoked.status, 410) << op;
    EXPECT_EQ(revoked.error_code(), "lease_revoked") << op;
    EXPECT_NE(revoked.body.find("product cad reached End of Life"), std::string::npos)
        << revoked.body;
  }
  // The waiter is answered rather than left waiting for a unit that never frees, and the lease
  // gauge no longer counts the deleted lease.
  auto answer = waiter.read_line();
  ASSERT_TRUE(answer);
  EXPECT_EQ(status_of(*answer), "end_of_life");
  HttpClient metrics(server_->admin_port());
  const std::string page = metrics.get("/metrics").body;
  EXPECT_NE(page.find("lmp_leases_active{product=\"cad\"} 0"), std::string::npos) << page;

  EXPECT_EQ(rows_of("licenses", "cad"), 0);
  EXPECT_EQ(rows_of("activations", "cad"), 0);
  EXPECT_EQ(rows_of("leases", "cad"), 0);
  EXPECT_EQ(rows_of("licenses", "agent"), 1);
  EXPECT_EQ(rows_of("leases", "agent"), 1);
  auto records = deletion_records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("after").at("licenses"), 1);
  EXPECT_EQ(records[0].at("after").at("activations"), 1);
  EXPECT_EQ(records[0].at("after").at("leases"), 1);
  // Nothing about the product changes any more, and the deletion does not run twice.
  EXPECT_EQ(call(root_token_, "POST", "/v1/products/cad/end-of-sale").error_code(), "end_of_life");
  server_->advance_seconds(5);
  EXPECT_EQ(deletion_records().size(), 1u);
  // A lease duration (300 s here) after the deletion, the lease id means nothing any more.
  server_->advance_seconds(300);
  EXPECT_EQ(seat("heartbeat", {{"lease", lease}}).error_code(), "lease_unknown");
}

// Issue #21: SQLite gave a new license the id of the newest one an End-of-Life deletion
// removed, so `audit --object license:ID` mixed two licenses. PostgreSQL's sequence never went
// back; both must keep to it, also across a restart.
TEST_P(LicenseLifecycle, ADeletedLicensesIdIsNeverGivenToANewOne) {
  make_license({}, "agent");
  const auto deleted = make_license({});  // the highest id
  const std::int64_t deleted_id = deleted.at("id").as_int64();
  ok(root_token_, "POST", "/v1/products/cad/end-of-life");
  const auto fresh = make_license({}, "agent");
  EXPECT_GT(fresh.at("id").as_int64(), deleted_id);
  server_.reset();
  server_ = std::make_unique<TestServer>(config_);
  const auto after_restart = make_license({}, "agent");
  EXPECT_GT(after_restart.at("id").as_int64(), fresh.at("id").as_int64());
  // The deleted license's audit trail is its own.
  auto trail =
      ok(root_token_, "GET", "/v1/audit?object=license:" + std::to_string(deleted_id)).at("items");
  ASSERT_EQ(trail.as_array().size(), 1u);
  EXPECT_EQ(trail.as_array()[0].at("after").at("product"), "cad");
  EXPECT_EQ(ok(root_token_, "POST", path(fresh, "/renew"), {{"days", 1}}).at("product"), "agent");
  EXPECT_EQ(seat("checkout", {{"code", code_of(fresh)}, {"host", "ws-1"}}).status, 200);
  EXPECT_EQ(seat("checkout", {{"code", code_of(deleted)}}).error_code(), "end_of_life");
  // And when that product ends too, both deletions stand side by side.
  ok(root_token_, "POST", "/v1/products/agent/end-of-life");
  EXPECT_EQ(deletion_records().size(), 2u);
  EXPECT_EQ(call(root_token_, "POST", path(fresh, "/renew"), {{"days", 1}}).error_code(),
            "end_of_life");
}

// Issue #21: the product lifecycle's audit records had no test. Each date set through the API is
// recorded with the product before and after, by the parent's user; End of Life now also records
// the deletion; a refused change records nothing.
TEST_P(LicenseLifecycle, ProductLifecycleChangesAreAuditedWithTheProductBeforeAndAfter) {
  make_license({});
  ok(root_token_, "POST", "/v1/products/cad/end-of-sale", {{"at", kNow + 10 * kDay}});
  ok(root_token_, "POST", "/v1/products/cad/end-of-life", {{"at", kNow + 20 * kDay}});
  ok(root_token_, "POST", "/v1/products/cad/end-of-life");
  EXPECT_EQ(call(root_token_, "POST", "/v1/products/cad/end-of-sale").error_code(), "end_of_life");
  ok(root_token_, "POST", "/v1/products/agent/end-of-sale", {{"at", kNow + kDay}});

  auto records = ok(root_token_, "GET", "/v1/audit?object=product:cad").at("items").as_array();
  ASSERT_EQ(records.size(), 4u);
  std::vector<std::string> actions;
  for (const auto& record : records) {
    actions.emplace_back(record.at("action").as_string());
    EXPECT_EQ(record.at("object"), "product:cad");
    EXPECT_FALSE(record.at("actor").at("user").is_null());
    EXPECT_EQ(record.at("time"), kNow);
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"product.end_of_sale", "product.end_of_life",
                                               "product.end_of_life", "product.data_deleted"}));
  const auto& sale = records[0];
  EXPECT_EQ(sale.at("before").at("state"), "active");
  EXPECT_TRUE(sale.at("before").at("end_of_sale").is_null());
  EXPECT_EQ(sale.at("after").at("end_of_sale"), kNow + 10 * kDay);
  EXPECT_EQ(sale.at("after").at("state"), "active");
  const auto& later = records[1];
  EXPECT_EQ(later.at("before").at("end_of_sale"), kNow + 10 * kDay);
  EXPECT_TRUE(later.at("before").at("end_of_life").is_null());
  EXPECT_EQ(later.at("after").at("end_of_life"), kNow + 20 * kDay);
  const auto& now = records[2];
  EXPECT_EQ(now.at("before").at("end_of_life"), kNow + 20 * kDay);
  EXPECT_EQ(now.at("after").at("end_of_life"), kNow);
  EXPECT_EQ(now.at("after").at("state"), "end_of_life");
  EXPECT_EQ(records[3].at("after").at("licenses"), 1);
  // By action, across products.
  auto sales =
      ok(root_token_, "GET", "/v1/audit?action=product.end_of_sale").at("items").as_array();
  ASSERT_EQ(sales.size(), 2u);
  EXPECT_EQ(sales[1].at("object"), "product:agent");
  EXPECT_EQ(sales[1].at("after").at("end_of_sale"), kNow + kDay);
}

class ConfiguredEndOfLife : public LicenseLifecycle {
 protected:
  void seed() override { config_.products[0].end_of_life_unix = kNow + 10 * kDay; }
};

INSTANTIATE_TEST_SUITE_P(Backends, ConfiguredEndOfLife, kStorageBackends, backend_name);

TEST_P(ConfiguredEndOfLife, PassingTheConfigDateRefusesAtOnceAndTheSweepDeletes) {
  auto license = make_license({});
  const auto lease = lease_of(seat("checkout", {{"code", code_of(license)}}));
  EXPECT_EQ(ok(root_token_, "GET", "/v1/products/cad").at("end_of_life"), kNow + 10 * kDay);
  server_->advance_seconds(10 * kDay);
  EXPECT_EQ(seat("checkout", {{"code", code_of(license)}}).error_code(), "end_of_life");
  // The sweep runs about once a second on the admin worker; wait for its deletion.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (rows_of("licenses", "cad") > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(rows_of("licenses", "cad"), 0);
  EXPECT_EQ(rows_of("leases", "cad"), 0);
  auto records = deletion_records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("actor").at("scope"), "server");
  EXPECT_EQ(records[0].at("after").at("licenses"), 1);
  EXPECT_EQ(seat("checkout", {{"code", code_of(license)}}).error_code(), "end_of_life");
  EXPECT_EQ(seat("heartbeat", {{"lease", lease}}).error_code(), "lease_unknown");
  EXPECT_EQ(ok(root_token_, "GET", "/v1/products/cad").at("state"), "end_of_life");
}

TEST_P(LicenseLifecycle, StatesFollowTheClockAndTheSeatPathAgrees) {
  auto license = make_license({{"starts", kNow + kDay},
                               {"expires", kNow + 11 * kDay},
                               {"notice_days", 3},
                               {"grace_days", 5}});
  const std::string code = code_of(license);
  EXPECT_EQ(state_of(license), "not_started");
  EXPECT_EQ(seat_state(license), "not_started");
  EXPECT_EQ(seat("checkout", {{"code", code}}).error_code(), "license_not_started");

  server_->advance_seconds(2 * kDay);
  EXPECT_EQ(state_of(license), "active");
  EXPECT_EQ(seat_state(license), "active");

  server_->advance_seconds(7 * kDay);  // 2 days before expiry, inside the 3-day notice
  EXPECT_EQ(state_of(license), "expiring");
  EXPECT_EQ(seat_state(license), "expiring");
  EXPECT_EQ(seat("checkout", {{"code", code}}).status, 200);

  server_->advance_seconds(3 * kDay);  // a day past expiry, inside the 5-day grace
  EXPECT_EQ(state_of(license), "in_grace");
  EXPECT_EQ(seat_state(license), "in_grace");
  const auto lease = lease_of(seat("checkout", {{"code", code}}));
  server_->advance_seconds(60);
  EXPECT_EQ(seat("heartbeat", {{"lease", lease}}).status, 200);
  auto listed = ok(root_token_, "GET", "/v1/licenses?state=in_grace").at("items");
  EXPECT_EQ(listed.as_array().size(), 1u);

  server_->advance_seconds(5 * kDay);
  EXPECT_EQ(state_of(license), "expired");
  EXPECT_EQ(seat_state(license), "expired");
  EXPECT_EQ(seat("checkout", {{"code", code}}).error_code(), "license_expired");

  // A renewal after the grace counts from now, and the license serves again at once.
  auto renewed = ok(root_token_, "POST", path(license, "/renew"), {{"days", 30}});
  EXPECT_EQ(renewed.at("state"), "active");
  EXPECT_EQ(seat("checkout", {{"code", code}}).status, 200);
}

TEST_P(LicenseLifecycle, AClockSetBackBeforeARestartRevivesNoExpiredLicense) {
  auto expired = make_license({{"days", 10}});
  auto running = make_license({{"days", 30}});
  EXPECT_EQ(seat("checkout", {{"code", code_of(expired)}}).status, 200);
  server_->advance_seconds(11 * kDay);
  EXPECT_EQ(seat_state(expired), "expired");  // answered after the server's mark was written
  // Stopped, the clock set back ten days, started again: the API and the seat path judge every
  // license where the server left it.
  server_.reset();
  server_ = std::make_unique<TestServer>(config_, kTestEpochMs + kDay * 1000);
  EXPECT_EQ(state_of(expired), "expired");
  EXPECT_EQ(seat_state(expired), "expired");
  EXPECT_EQ(seat("checkout", {{"code", code_of(expired)}}).error_code(), "license_expired");
  auto listed = ok(root_token_, "GET", "/v1/licenses?state=expired").at("items").as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("id"), expired.at("id"));
  // The other one has nineteen days left, not twenty-nine.
  server_->advance_seconds(19 * kDay - 60);
  EXPECT_EQ(seat_state(running), "active");
  EXPECT_EQ(state_of(running), "active");
  server_->advance_seconds(120);
  EXPECT_EQ(seat_state(running), "expired");
  EXPECT_EQ(state_of(running), "expired");
}

TEST_P(LicenseLifecycle, UnitsLoweredBelowUsageKeepLeasesAndRefuseNewCheckouts) {
  auto license = make_license({{"units", 3}});
  const std::string code = code_of(license);
  std::vector<std::string> leases;
  for (int i = 0; i < 3; ++i) leases.push_back(lease_of(seat("checkout", {{"code", code}})));
  auto lowered = ok(root_token_, "PUT", path(license, "/units"), {{"units", 1}});
  EXPECT_EQ(lowered.at("units"), 1);
  EXPECT_EQ(lowered.at("used"), 3);
  for (const auto& lease : leases) EXPECT_EQ(seat("heartbeat", {{"lease", lease}}).status, 200);
  EXPECT_EQ(seat("checkout", {{"code", code}}).error_code(), "no_seats");
  EXPECT_EQ(seat("checkin", {{"lease", leases[0]}}).status, 200);
  EXPECT_EQ(seat("checkin", {{"lease", leases[1]}}).status, 200);
  EXPECT_EQ(seat("checkout", {{"code", code}}).error_code(), "no_seats");  // 1 of 1 in use
  EXPECT_EQ(seat("checkin", {{"lease", leases[2]}}).status, 200);
  EXPECT_EQ(seat("checkout", {{"code", code}}).status, 200);
  auto audit = ok(root_token_, "GET", "/v1/audit?action=license.units").at("items").as_array();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].at("before").at("units"), 3);
  EXPECT_EQ(audit[0].at("after").at("units"), 1);
}

TEST_P(LicenseLifecycle, OnlyATrialConvertsToFull) {
  auto trial = make_license({{"trial", true}, {"days", 14}, {"units", 1}});
  auto full = ok(root_token_, "POST", path(trial, "/convert"), {{"days", 365}, {"units", 10}});
  EXPECT_EQ(full.at("trial"), false);
  EXPECT_EQ(full.at("units"), 10);
  EXPECT_EQ(full.at("expires"), kNow + 365 * kDay);
  auto again = call(root_token_, "POST", path(trial, "/convert"), json::object{});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.error_code(), "not_trial");
}

}  // namespace
}  // namespace lmp::test
