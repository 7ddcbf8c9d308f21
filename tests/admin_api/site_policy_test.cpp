// Site policy through the real listeners, on each storage backend: set, read and delete through
// the admin API with every problem named at its JSON path and audited with before and after, and
// enforced on CHECKOUT over the seat protocol and the HTTP seat routes (include and exclude by
// user, host, group and address range; max per user, host and group; max, reserve and waiters
// over a customer's two licenses of one product) with the denial codes and fields of protocol 1.1.
#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <fstream>
#include <thread>
#include <utility>
#include <vector>

#include "admin_fixture.hpp"
#include "support/http_client.hpp"
#include "support/line_client.hpp"

namespace lmp::test {
namespace {

namespace json = boost::json;

class SitePolicyTest : public AdminApiTest {
 protected:
  void SetUp() override {
    AdminApiTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    const auto made = make_customer_license("Acme", 10);
    customer_ = made.customer;
    license_ = made.license;
    code_ = made.code;
  }

  std::string path() const { return "/v1/customers/" + std::to_string(customer_) + "/policy"; }
  json::value set(const std::string& policy) {
    return ok(root_token_, "PUT", path(), json::parse(policy));
  }

  std::string checkout(LineClient& seat, const std::string& fields) {
    return seat.request("CHECKOUT code=" + code_ + " " + fields);
  }
  // Sends a checkout with wait= and returns once the server has queued it (the license's
  // waiting count reached `waiting`); on the fixture's license, or on `other`.
  void queue(LineClient& seat, const std::string& fields, std::int64_t waiting,
             const CustomerLicense* other = nullptr) {
    seat.send("CHECKOUT code=" + (other ? other->code : code_) + " " + fields);
    const std::string target = "/v1/licenses/" + std::to_string(other ? other->license : license_);
    std::int64_t now = 0;
    for (int i = 0; i < 500 && now < waiting; ++i) {
      now = ok(root_token_, "GET", target).at("waiting").as_int64();
      if (now < waiting) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(now, waiting) << fields;
  }

  std::int64_t customer_ = 0;
  std::int64_t license_ = 0;
  std::string code_;
};

INSTANTIATE_TEST_SUITE_P(Backends, SitePolicyTest, kStorageBackends, backend_name);

TEST_P(SitePolicyTest, IsSetReadAndDeletedAndAudited) {
  EXPECT_EQ(ok(root_token_, "GET", path()).at("items").as_array().size(), 0u);
  auto stored = set(R"({"product": "cad", "groups": {"design": {"users": ["ann"]}},
                        "include": ["group:design"], "max": [{"for": "user:*", "units": 2}],
                        "linger": 30})");
  EXPECT_EQ(stored.at("product"), "cad");
  EXPECT_EQ(stored.at("customer"), customer_);
  EXPECT_EQ(stored.at("max").as_array()[0].at("for"), "user:*");
  set(R"({"exclude": ["host:kiosk"]})");  // for every product

  auto all = ok(root_token_, "GET", path()).at("items").as_array();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_TRUE(all[0].at("product").is_null());
  EXPECT_EQ(all[1].at("product"), "cad");
  auto one = ok(root_token_, "GET", path() + "?product=cad");
  EXPECT_EQ(one.at("include").as_array()[0], "group:design");
  EXPECT_EQ(call(root_token_, "GET", path() + "?product=cam").status, 404);

  // A customer's own user reads its policies.
  const auto own = make_user("acme-admin", "customer", customer_);
  EXPECT_EQ(ok(own.token, "GET", path()).at("items").as_array().size(), 2u);

  set(R"({"product": "cad", "linger": 60})");
  auto audit = ok(root_token_, "GET", "/v1/audit?action=policy.set").at("items").as_array();
  ASSERT_EQ(audit.size(), 3u);
  bool replaced = false;
  for (const auto& record : audit) {
    const auto before = record.at("before");
    const auto after = record.at("after");
    if (!before.is_null() && before.at("linger") == 30) {
      replaced = true;
      EXPECT_EQ(after.at("linger"), 60) << json::serialize(record);
    }
  }
  EXPECT_TRUE(replaced) << json::serialize(audit);

  EXPECT_EQ(ok(root_token_, "DELETE", path() + "?product=cad").at("deleted"), true);
  EXPECT_EQ(call(root_token_, "DELETE", path() + "?product=cad").status, 404);
  EXPECT_EQ(ok(root_token_, "GET", "/v1/audit?action=policy.delete").at("items").as_array().size(),
            1u);
  EXPECT_EQ(ok(root_token_, "GET", path()).at("items").as_array().size(), 1u);
}

TEST_P(SitePolicyTest, RefusesABadPolicyNamingEveryProblemAndKeepsTheStoredOne) {
  set(R"({"product": "cad", "linger": 10})");
  auto refused = call(root_token_, "PUT", path(), json::parse(R"({
    "product": "cad",
    "groups": {"loop": {"groups": ["loop"]}, "net": {"addresses": ["10.0.0.0/40"]}},
    "include": ["group:ghost"],
    "reserve": [{"for": "user:ann", "units": 6}, {"for": "user:bob", "units": 5}],
    "max": [{"for": "user:*", "units": -2}],
    "linger": 99999999})"));
  ASSERT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(refused.error_code(), "bad_request");
  const auto message = std::string(refused.json().at("error").at("message").as_string());
  for (const char* part :
       {"groups.loop.groups: group \"loop\" includes itself",
        "groups.net.addresses[0]: malformed CIDR \"10.0.0.0/40\"",
        "include[0]: unknown group \"ghost\"", "max[0].units: must be 0 to 1000000, not -2",
        "linger: must be 0 to 86400, not 99999999"})
    EXPECT_NE(message.find(part), std::string::npos) << part << " in: " << message;
  // And one by one, each at its path, for a client that shows them there (the web console).
  std::vector<std::pair<std::string, std::string>> problems;
  const auto answer = refused.json();
  for (const auto& p : answer.at("error").at("problems").as_array())
    problems.emplace_back(p.at("path").as_string(), p.at("message").as_string());
  const std::vector<std::pair<std::string, std::string>> expected{
      {"groups.loop.groups", "group \"loop\" includes itself: loop -> loop"},
      {"groups.net.addresses[0]", "malformed CIDR \"10.0.0.0/40\""},
      {"include[0]", "unknown group \"ghost\""},
      {"max[0].units", "must be 0 to 1000000, not -2"},
      {"linger", "must be 0 to 86400, not 99999999"}};
  for (const auto& want : expected)
    EXPECT_NE(std::find(problems.begin(), problems.end(), want), problems.end())
        << want.first << ": " << want.second << " in: " << refused.body;
  EXPECT_EQ(problems.size(), expected.size()) << refused.body;

  // The reservations are checked against the license's units, with the figures.
  auto over = call(root_token_, "PUT", path(), json::parse(R"({"product": "cad",
      "reserve": [{"for": "user:ann", "units": 6}, {"for": "user:bob", "units": 5}]})"));
  ASSERT_EQ(over.status, 400) << over.body;
  EXPECT_NE(over.body.find("reserve: the reservations sum to 11 units, above the 10 units of "
                           "license " +
                           std::to_string(license_) + " (cad)"),
            std::string::npos)
      << over.body;
  EXPECT_EQ(over.json().at("error").at("problems").at(0).at("path"), "reserve") << over.body;

  EXPECT_EQ(ok(root_token_, "GET", path() + "?product=cad").at("linger"), 10);
  EXPECT_EQ(ok(root_token_, "GET", "/v1/audit?action=policy.set").at("items").as_array().size(),
            1u);
}

TEST_P(SitePolicyTest, IncludeAndExcludeDecideWhoChecksOut) {
  set(R"({"groups": {"design": {"users": ["ann", "bob"], "groups": ["leads"]},
                     "leads": {"hosts": ["lead-ws"]},
                     "lab": {"addresses": ["127.0.0.2/32", "2001:db8::/32"]},
                     "contractors": {"users": ["mallory"]}},
          "include": ["group:design", "group:lab"],
          "exclude": ["group:contractors", "host:kiosk"]})");
  LineClient seat(server_->port());
  EXPECT_EQ(status_of(checkout(seat, "user=ann host=ws1")), "OK");
  EXPECT_EQ(status_of(checkout(seat, "user=zed host=lead-ws")), "OK");  // leads, inside design
  const auto outsider = checkout(seat, "user=zed host=ws9");
  EXPECT_EQ(status_of(outsider), "not_allowed") << outsider;
  EXPECT_NE(fields_of(outsider).at("msg").find("include list"), std::string::npos) << outsider;
  // Exclude wins over include.
  const auto kiosk = checkout(seat, "user=bob host=kiosk");
  EXPECT_EQ(status_of(kiosk), "not_allowed") << kiosk;
  EXPECT_NE(fields_of(kiosk).at("msg").find("host:kiosk"), std::string::npos) << kiosk;

  // By the address the checkout comes from.
  LineClient lab(server_->port(), "127.0.0.2");
  EXPECT_EQ(status_of(checkout(lab, "user=zed host=ws9")), "OK");
  EXPECT_EQ(status_of(checkout(lab, "user=mallory host=ws8")), "not_allowed");

  // Over HTTP the same answers, with 403.
  HttpClient http(server_->admin_port());
  auto refused = http.post("/v1/seat/checkout", {{"code", code_}, {"user", "zed"}, {"host", "x"}});
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(refused.error_code(), "not_allowed");
  auto granted = http.post("/v1/seat/checkout", {{"code", code_}, {"user", "bob"}, {"host", "y"}});
  EXPECT_EQ(granted.status, 200) << granted.body;
}

TEST_P(SitePolicyTest, MaxRulesCountWhatEachUserHostAndGroupHolds) {
  set(R"({"product": "cad",
          "groups": {"interns": {"users": ["ivan", "iris"]}},
          "max": [{"for": "user:*", "units": 2}, {"for": "group:interns", "units": 3},
                  {"for": "host:shared", "units": 1}]})");
  {
    LineClient seat(server_->port());
    EXPECT_EQ(status_of(checkout(seat, "user=ann host=a1")), "OK");
    EXPECT_EQ(status_of(checkout(seat, "user=ann host=a2")), "OK");
  }
  // Across reconnects: the leases count, not the connection.
  LineClient seat(server_->port());
  const auto third = checkout(seat, "user=ann host=a3");
  EXPECT_EQ(status_of(third), "over_limit") << third;
  EXPECT_EQ(fields_of(third).at("limit"), "2");
  EXPECT_NE(fields_of(third).at("msg").find("each user at most 2 units; 2 held"), std::string::npos)
      << third;
  // The same holder again reuses its lease: no further unit, no refusal.
  EXPECT_EQ(status_of(checkout(seat, "user=ann host=a2")), "OK");
  EXPECT_EQ(status_of(checkout(seat, "user=bob host=b1 units=2")), "OK");
  const auto bob_big = checkout(seat, "user=cid host=c1 units=3");
  EXPECT_EQ(status_of(bob_big), "over_limit") << bob_big;

  // The group's total.
  EXPECT_EQ(status_of(checkout(seat, "user=ivan host=i1 units=2")), "OK");
  EXPECT_EQ(status_of(checkout(seat, "user=iris host=i2")), "OK");
  const auto fourth = checkout(seat, "user=iris host=i3");
  EXPECT_EQ(status_of(fourth), "over_limit") << fourth;
  EXPECT_EQ(fields_of(fourth).at("limit"), "3");
  EXPECT_NE(fields_of(fourth).at("msg").find("group:interns"), std::string::npos) << fourth;

  // Per host, over HTTP with 409 and the limit in the error.
  HttpClient http(server_->admin_port());
  ASSERT_EQ(
      http.post("/v1/seat/checkout", {{"code", code_}, {"user", "dan"}, {"host", "shared"}}).status,
      200);
  auto refused =
      http.post("/v1/seat/checkout", {{"code", code_}, {"user", "eve"}, {"host", "shared"}});
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(refused.error_code(), "over_limit");
  EXPECT_EQ(refused.json().at("error").at("limit"), 1) << refused.body;

  // A checkin frees the user's unit for the user.
  const auto ann = fields_of(checkout(seat, "user=ann host=a1"));
  ASSERT_EQ(ann.count("lease"), 1u);
  EXPECT_EQ(status_of(seat.request("CHECKIN lease=" + ann.at("lease"))), "OK");
  EXPECT_EQ(status_of(checkout(seat, "user=ann host=a3")), "OK");
}

TEST_P(SitePolicyTest, ReservationsHoldUnitsBackFromOthersButGiveThemToTheirOwners) {
  set(R"({"groups": {"design": {"users": ["ann", "bob"]}},
          "reserve": [{"for": "group:design", "units": 3}, {"for": "host:build", "units": 1}]})");
  LineClient seat(server_->port());
  EXPECT_EQ(status_of(checkout(seat, "user=zed host=z1 units=6")), "OK");
  // 4 free, all 4 reserved: others get no_seats with reserved=4.
  const auto refused = checkout(seat, "user=zed host=z2");
  EXPECT_EQ(status_of(refused), "no_seats") << refused;
  EXPECT_EQ(fields_of(refused).at("reserved"), "4") << refused;
  // Their owners take them.
  EXPECT_EQ(status_of(checkout(seat, "user=ann host=a1 units=2")), "OK");
  EXPECT_EQ(status_of(checkout(seat, "user=eve host=build")), "OK");
  // One unit left, reserved for design: bob has it, zed does not.
  HttpClient http(server_->admin_port());
  auto over_http =
      http.post("/v1/seat/checkout", {{"code", code_}, {"user", "zed"}, {"host", "z3"}});
  EXPECT_EQ(over_http.status, 409) << over_http.body;
  EXPECT_EQ(over_http.error_code(), "no_seats");
  EXPECT_EQ(over_http.json().at("error").at("reserved"), 1) << over_http.body;
  EXPECT_EQ(status_of(checkout(seat, "user=bob host=b1")), "OK");
  // All ten in use: the plain no_seats, without reserved.
  const auto full = checkout(seat, "user=ann host=a2");
  EXPECT_EQ(status_of(full), "no_seats") << full;
  EXPECT_EQ(fields_of(full).count("reserved"), 0u) << full;
}

// A customer with two licenses of the product (a second purchase, or a renewal beside the old
// license): max and reserve count over both together, as FlexNet counts one feature's licenses;
// each checkout still draws from the license its code names.
TEST_P(SitePolicyTest, AGroupsMaxHoldsAcrossTheCustomersLicensesOfTheProduct) {
  const auto second = add_customer_license(as_parent(), customer_, 5);
  set(R"({"groups": {"design": {"users": ["ann", "bob"]}},
          "max": [{"for": "group:design", "units": 3}]})");
  LineClient seat(server_->port());
  EXPECT_EQ(status_of(checkout(seat, "user=ann host=a1 units=2")), "OK");
  EXPECT_EQ(status_of(seat.request("CHECKOUT code=" + second.code + " user=bob host=b1")), "OK");
  // Three held by design, two on the first license and one on the second: none more on either.
  for (const std::string& code : {second.code, code_}) {
    const auto over = seat.request("CHECKOUT code=" + code + " user=bob host=b2");
    EXPECT_EQ(status_of(over), "over_limit") << over;
    EXPECT_EQ(fields_of(over).at("limit"), "3") << over;
    EXPECT_NE(fields_of(over).at("msg").find("3 held (counted over the customer's licenses " +
                                             std::to_string(license_) + ", " +
                                             std::to_string(second.license) + " of cad"),
              std::string::npos)
        << over;
  }
  // Over HTTP too, and the check explains it on each license, naming the pool.
  HttpClient http(server_->admin_port());
  auto refused =
      http.post("/v1/seat/checkout", {{"code", second.code}, {"user", "ann"}, {"host", "a2"}});
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(refused.error_code(), "over_limit");
  const auto checks =
      ok(root_token_, "GET", path() + "/check?product=cad&user=bob").at("items").as_array();
  ASSERT_EQ(checks.size(), 2u);
  for (const auto& check : checks) {
    EXPECT_EQ(check.at("decision"), "over_limit") << json::serialize(check);
    EXPECT_EQ(check.at("pool_units"), 15) << json::serialize(check);
  }
  // Others are not in the group: the second license still serves them.
  EXPECT_EQ(status_of(seat.request("CHECKOUT code=" + second.code + " user=zed host=z1")), "OK");
}

TEST_P(SitePolicyTest, AReservationHoldsAcrossTheCustomersLicensesNotInEach) {
  const auto second = add_customer_license(as_parent(), customer_, 4);
  // 12 reserved fits the 14 units of both licenses together, not the 10 of the first.
  set(R"({"groups": {"design": {"users": ["ann", "bob"]}},
          "reserve": [{"for": "group:design", "units": 12}]})");
  // 15 does not: refused with the figures of both.
  auto too_many = call(root_token_, "PUT", path(),
                       json::parse(R"({"reserve": [{"for": "user:ann", "units": 15}]})"));
  EXPECT_EQ(too_many.status, 400) << too_many.body;
  EXPECT_NE(too_many.body.find("above the 14 units of licenses"), std::string::npos)
      << too_many.body;
  set(R"({"groups": {"design": {"users": ["ann", "bob"]}},
          "reserve": [{"for": "group:design", "units": 3}]})");

  LineClient seat(server_->port());
  // The 3 are kept in the pool of 14, not in each license: zed takes the first license's 10.
  EXPECT_EQ(status_of(checkout(seat, "user=zed host=z1 units=10")), "OK");
  const std::string on_second = "CHECKOUT code=" + second.code + " ";
  EXPECT_EQ(status_of(seat.request(on_second + "user=zed host=z2")), "OK");
  // 3 free in the pool, all reserved: others get no_seats with reserved=3 on the second license.
  const auto refused = seat.request(on_second + "user=zed host=z3");
  EXPECT_EQ(status_of(refused), "no_seats") << refused;
  EXPECT_EQ(fields_of(refused).at("reserved"), "3") << refused;
  // Design's own take them.
  EXPECT_EQ(status_of(seat.request(on_second + "user=ann host=a1 units=2")), "OK");
  EXPECT_EQ(status_of(seat.request(on_second + "user=bob host=b1")), "OK");
  const auto full = seat.request(on_second + "user=bob host=b2");
  EXPECT_EQ(status_of(full), "no_seats") << full;
  EXPECT_EQ(fields_of(full).count("reserved"), 0u) << full;
}

TEST_P(SitePolicyTest, AUnitFreedOnOneLicenseServesTheWaitersOfTheCustomersOther) {
  const auto second = add_customer_license(as_parent(), customer_, 4);
  set(R"({"max": [{"for": "user:*", "units": 2}],
          "reserve": [{"for": "user:ann", "units": 1}]})");
  LineClient seat(server_->port());
  const auto yan = fields_of(checkout(seat, "user=yan host=y1"));
  ASSERT_EQ(yan.count("lease"), 1u);
  const std::string on_second = "CHECKOUT code=" + second.code + " ";
  ASSERT_EQ(status_of(seat.request(on_second + "user=yan host=y2")), "OK");
  // yan's max is reached over both licenses: its checkout on the second waits, held back.
  LineClient yan3(server_->port());
  queue(yan3, "user=yan host=y3 wait=60", 1, &second);
  // Units freed on the second license are not yan's to take.
  const auto pool = fields_of(seat.request(on_second + "host=pool units=2"));
  ASSERT_EQ(pool.count("lease"), 1u);
  EXPECT_EQ(status_of(seat.request("CHECKIN lease=" + pool.at("lease"))), "OK");
  EXPECT_EQ(yan3.read_line(std::chrono::milliseconds(200)), std::nullopt);
  // yan's unit on the first license frees: that lifts its max, and it is served on the second.
  EXPECT_EQ(status_of(seat.request("CHECKIN lease=" + yan.at("lease"))), "OK");
  const auto served = yan3.read_line(std::chrono::seconds(5));
  ASSERT_TRUE(served);
  EXPECT_EQ(status_of(*served), "OK") << *served;

  // The same for a reservation: with 13 of the pool's 14 in use, the last free unit is ann's;
  // zed waits on the second license until units free on the first.
  const auto big = fields_of(checkout(seat, "host=pool units=10"));
  ASSERT_EQ(big.count("lease"), 1u);
  ASSERT_EQ(status_of(seat.request(on_second + "host=pool2")), "OK");
  LineClient zed(server_->port());
  queue(zed, "user=zed host=z1 wait=60", 1, &second);
  EXPECT_EQ(zed.read_line(std::chrono::milliseconds(200)), std::nullopt);
  EXPECT_EQ(status_of(seat.request("CHECKIN lease=" + big.at("lease"))), "OK");
  const auto zed_served = zed.read_line(std::chrono::seconds(5));
  ASSERT_TRUE(zed_served);
  EXPECT_EQ(status_of(*zed_served), "OK") << *zed_served;
}

TEST_P(SitePolicyTest, CheckExplainsWhichRuleDecidesWithoutCheckingOut) {
  const std::string check = path() + "/check?product=cad";
  auto none = ok(root_token_, "GET", check + "&user=ann").at("items").as_array();
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(none[0].at("decision"), "allowed");
  EXPECT_EQ(none[0].at("policy"), "none");

  set(R"({"groups": {"design": {"users": ["ann", "bob"]}, "lab": {"addresses": ["10.9.0.0/16"]}},
          "include": ["group:design", "group:lab"], "exclude": ["host:kiosk"],
          "max": [{"for": "user:*", "units": 1}],
          "reserve": [{"for": "user:bob", "units": 2}]})");
  auto verdict = [&](const std::string& query) {
    auto items = ok(root_token_, "GET", check + query).at("items").as_array();
    EXPECT_EQ(items.size(), 1u);
    return items.empty() ? json::object() : items[0].as_object();
  };
  auto ann = verdict("&user=ann&host=ws1");
  EXPECT_EQ(ann.at("decision"), "allowed");
  EXPECT_EQ(ann.at("rule"), "include[0]");
  EXPECT_EQ(ann.at("policy"), "all products");
  EXPECT_EQ(ann.at("license"), license_);
  auto kiosk = verdict("&user=ann&host=kiosk");
  EXPECT_EQ(kiosk.at("decision"), "not_allowed");
  EXPECT_EQ(kiosk.at("rule"), "exclude[0]");
  EXPECT_EQ(verdict("&user=zed&address=10.9.1.1").at("rule"), "include[1]");
  EXPECT_EQ(verdict("&user=zed&address=10.8.1.1").at("rule"), "include");

  LineClient seat(server_->port());
  ASSERT_EQ(status_of(checkout(seat, "user=ann host=ws1")), "OK");
  auto over = verdict("&user=ann&host=ws2");
  EXPECT_EQ(over.at("decision"), "over_limit");
  EXPECT_EQ(over.at("rule"), "max[0]");
  EXPECT_EQ(over.at("limit"), 1);
  EXPECT_EQ(over.at("in_use"), 1);
  // No user: no user's max applies, the reservation does.
  auto reserved = verdict("&address=10.9.1.1&units=8");
  EXPECT_EQ(reserved.at("decision"), "no_seats");
  EXPECT_EQ(reserved.at("rule"), "reserve");
  EXPECT_EQ(reserved.at("reserved"), 2);
  // It checked nothing out.
  EXPECT_EQ(ok(root_token_, "GET", "/v1/leases").at("items").as_array().size(), 1u);
  EXPECT_EQ(call(root_token_, "GET", path() + "/check").status, 400);
}

TEST_P(SitePolicyTest, AChangeAppliesToTheNextCheckoutAndTakesNoHeldUnit) {
  LineClient seat(server_->port());
  const auto held = fields_of(checkout(seat, "user=ann host=a1"));
  ASSERT_EQ(held.count("lease"), 1u);
  set(R"({"exclude": ["user:ann"]})");
  EXPECT_EQ(status_of(checkout(seat, "user=ann host=a2")), "not_allowed");
  EXPECT_EQ(status_of(seat.request("HEARTBEAT lease=" + held.at("lease"))), "OK");
  // A policy for the product wins over the one for all products.
  set(R"({"product": "cad", "include": ["user:ann"]})");
  EXPECT_EQ(status_of(checkout(seat, "user=ann host=a2")), "OK");
  EXPECT_EQ(status_of(checkout(seat, "user=bob host=b1")), "not_allowed");
  ok(root_token_, "DELETE", path() + "?product=cad");
  ok(root_token_, "DELETE", path());
  EXPECT_EQ(status_of(checkout(seat, "user=bob host=b1")), "OK");
}

TEST_P(SitePolicyTest, LingerKeepsACheckedInUnitForItsHolderAndFreesItAfter) {
  set(R"({"product": "cad", "linger": 30})");
  LineClient seat(server_->port());
  ASSERT_EQ(status_of(checkout(seat, "user=zed host=z1 units=9")), "OK");
  const auto ann = fields_of(checkout(seat, "user=ann host=ws1"));
  ASSERT_EQ(ann.count("lease"), 1u);
  const std::string lease = ann.at("lease");
  EXPECT_EQ(status_of(seat.request("CHECKIN lease=" + lease)), "OK");

  // Lingering: the unit counts as in use, nobody else gets it, and its id is no lease to
  // heartbeat or check in any more.
  const auto other = checkout(seat, "user=bob host=b1");
  EXPECT_EQ(status_of(other), "no_seats") << other;
  const auto beat = seat.request("HEARTBEAT lease=" + lease);
  EXPECT_EQ(status_of(beat), "lease_unknown") << beat;
  EXPECT_NE(fields_of(beat).at("msg").find("checked in"), std::string::npos) << beat;
  EXPECT_EQ(status_of(seat.request("CHECKIN lease=" + lease)), "lease_unknown");
  const auto listed = ok(root_token_, "GET", "/v1/leases?user=ann").at("items").as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("lingering"), true);

  // Its holder's checkout within the linger takes the same lease back, and heartbeats it.
  server_->advance_seconds(20);
  const auto again = fields_of(checkout(seat, "user=ann host=ws1"));
  ASSERT_EQ(again.count("lease"), 1u);
  EXPECT_EQ(again.at("lease"), lease);
  EXPECT_EQ(status_of(seat.request("HEARTBEAT lease=" + lease)), "OK");
  EXPECT_EQ(ok(root_token_, "GET", "/v1/leases?user=ann").at("items").as_array()[0].at("lingering"),
            false);

  // Checked in again, it lingers 30 s from this checkin; after that the unit is anybody's.
  EXPECT_EQ(status_of(seat.request("CHECKIN lease=" + lease)), "OK");
  server_->advance_seconds(29);
  EXPECT_EQ(status_of(checkout(seat, "user=bob host=b1")), "no_seats");
  server_->advance_seconds(2);
  EXPECT_EQ(status_of(checkout(seat, "user=bob host=b1")), "OK");
  EXPECT_EQ(status_of(seat.request("HEARTBEAT lease=" + lease)), "lease_unknown");
  EXPECT_EQ(status_of(checkout(seat, "user=ann host=ws1")), "no_seats");
}

TEST_P(SitePolicyTest, LingerFollowsOnlyACheckinNotAReclaimOrAnAdministratorsRelease) {
  set(R"({"linger": 60})");
  LineClient seat(server_->port());
  ASSERT_EQ(status_of(checkout(seat, "user=zed host=z1 units=9")), "OK");
  // Reclaimed at its expiry (no heartbeat for the lease's 300 s): free at once.
  ASSERT_EQ(status_of(checkout(seat, "user=ann host=ws1")), "OK");
  server_->advance_seconds(250);
  const auto zed = fields_of(checkout(seat, "user=zed host=z1"));  // keeps zed's lease alive
  ASSERT_EQ(zed.count("lease"), 1u);
  server_->advance_seconds(51);
  EXPECT_EQ(status_of(checkout(seat, "user=bob host=b1")), "OK");

  // Released by an administrator: free at once too.
  const auto listed = ok(root_token_, "GET", "/v1/leases?user=bob").at("items").as_array();
  ASSERT_EQ(listed.size(), 1u);
  ok(root_token_, "DELETE", "/v1/leases/" + std::string(listed[0].at("id").as_string()),
     {{"reason", "test"}});
  EXPECT_EQ(status_of(checkout(seat, "user=cid host=c1")), "OK");

  // An anonymous lease (no user, no host) has nobody to take it back: it does not linger.
  const auto cid = ok(root_token_, "GET", "/v1/leases?user=cid").at("items").as_array();
  ASSERT_EQ(cid.size(), 1u);
  ok(root_token_, "DELETE", "/v1/leases/" + std::string(cid[0].at("id").as_string()),
     {{"reason", "test"}});
  const auto anonymous = fields_of(seat.request("CHECKOUT code=" + code_));
  ASSERT_EQ(anonymous.count("lease"), 1u);
  EXPECT_EQ(status_of(seat.request("CHECKIN lease=" + anonymous.at("lease"))), "OK");
  EXPECT_EQ(status_of(checkout(seat, "user=dan host=d1")), "OK");
}

TEST_P(SitePolicyTest, AWaiterIsServedOnlyByAUnitItMayTake) {
  set(R"({"reserve": [{"for": "user:ann", "units": 1}], "max": [{"for": "user:*", "units": 1}]})");
  LineClient seat(server_->port());
  const auto ann = fields_of(checkout(seat, "user=ann host=ws1"));
  ASSERT_EQ(ann.count("lease"), 1u);
  ASSERT_EQ(status_of(checkout(seat, "host=pool units=8")), "OK");  // no user: no user's max
  const auto yan = fields_of(checkout(seat, "user=yan host=y1"));
  ASSERT_EQ(yan.count("lease"), 1u);

  // Full. yan waits for a second unit (its max is reached too), then zed, then ann again.
  LineClient yan2(server_->port()), zed(server_->port()), ann2(server_->port());
  queue(yan2, "user=yan host=y2 wait=60", 1);
  queue(zed, "user=zed host=z1 wait=60", 2);
  queue(ann2, "user=ann host=ws2 wait=60", 3);

  // ann's unit frees: it is reserved for ann, so neither yan (over its max as well) nor zed get
  // it; ann, queued last, does.
  EXPECT_EQ(status_of(seat.request("CHECKIN lease=" + ann.at("lease"))), "OK");
  const auto served = ann2.read_line();
  ASSERT_TRUE(served);
  EXPECT_EQ(status_of(*served), "OK") << *served;
  EXPECT_EQ(yan2.read_line(std::chrono::milliseconds(200)), std::nullopt);
  EXPECT_EQ(zed.read_line(std::chrono::milliseconds(10)), std::nullopt);

  // yan's own unit frees: yan may take it now, and was first: zed waits on.
  EXPECT_EQ(status_of(seat.request("CHECKIN lease=" + yan.at("lease"))), "OK");
  const auto yan_served = yan2.read_line();
  ASSERT_TRUE(yan_served);
  EXPECT_EQ(status_of(*yan_served), "OK") << *yan_served;
  EXPECT_EQ(zed.read_line(std::chrono::milliseconds(200)), std::nullopt);
}

TEST_P(SitePolicyTest, AWaiterHeldBackByThePolicyIsAnsweredWithItsRefusalAtTheDeadline) {
  set(R"({"max": [{"for": "user:*", "units": 1}]})");
  LineClient seat(server_->port());
  ASSERT_EQ(status_of(checkout(seat, "user=yan host=y1")), "OK");
  // Free units, but yan's max is reached: it waits (a unit of its own may free) without holding
  // a unit back from bob, who comes after it.
  LineClient yan(server_->port());
  queue(yan, "user=yan host=y2 wait=5", 1);
  EXPECT_EQ(status_of(checkout(seat, "host=pool units=8")), "OK");  // no user: no user's max
  EXPECT_EQ(status_of(checkout(seat, "user=bob host=b1")), "OK");
  server_->advance_seconds(6);
  const auto answer = yan.read_line();
  ASSERT_TRUE(answer);
  EXPECT_EQ(status_of(*answer), "over_limit") << *answer;
  EXPECT_EQ(fields_of(*answer).at("limit"), "1") << *answer;
  // Excluded, or above its limit: answered at once, never queued.
  set(R"({"max": [{"for": "user:*", "units": 1}], "exclude": ["user:mallory"]})");
  EXPECT_EQ(status_of(checkout(seat, "user=mallory host=m1 wait=60")), "not_allowed");
  EXPECT_EQ(status_of(checkout(seat, "user=cid host=c1 units=2 wait=60")), "over_limit");
}

TEST_P(SitePolicyTest, APolicyFileWinsOverTheApiAndAWrongOneKeepsThePolicyInForce) {
  set(R"({"product": "cad", "linger": 10})");  // the file takes this one over
  const std::string file = (dir_.path() / "policy.yaml").string();
  const std::string entry =
      "policies:\n  - customer: " + std::to_string(customer_) + "\n    product: cad\n";
  std::ofstream(file) << entry << "    exclude: [user:mallory]\n";
  server_.reset();
  config_.policy.file = file;
  server_ = std::make_unique<TestServer>(config_);
  LineClient seat(server_->port());
  EXPECT_EQ(status_of(checkout(seat, "user=mallory host=m1")), "not_allowed");
  EXPECT_EQ(status_of(checkout(seat, "user=ann host=a1")), "OK");
  EXPECT_EQ(ok(root_token_, "GET", path() + "?product=cad").at("exclude").as_array()[0],
            "user:mallory");

  // The API may not change it, and says where it is kept; what the file does not hold is the
  // API's.
  for (const char* method : {"PUT", "DELETE"}) {
    auto refused = std::string(method) == "PUT"
                       ? call(root_token_, method, path(), json::parse(R"({"product": "cad"})"))
                       : call(root_token_, method, path() + "?product=cad");
    EXPECT_EQ(refused.status, 409) << refused.body;
    EXPECT_EQ(refused.error_code(), "policy_from_file") << refused.body;
    EXPECT_NE(refused.body.find("comes from the policy file " + file), std::string::npos)
        << refused.body;
  }
  set(R"({"exclude": ["user:eve"]})");

  // A wrong file at reload is refused at its line and column; the policy in force stays.
  std::ofstream(file) << entry << "    exclude: [user:ann]\n    max:\n"
                      << "      - {for: \"user:*\", units: -1}\n";
  auto problems = server_->reload(config_);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find(file + ":6:25: policies[0].max[0].units: must be 0 to 1000000"),
            std::string::npos)
      << problems[0];
  EXPECT_EQ(status_of(checkout(seat, "user=ann host=a2")), "OK");
  EXPECT_EQ(status_of(checkout(seat, "user=mallory host=m1")), "not_allowed");
  // What only the database can tell (the license's units) is told at the file's line too.
  std::ofstream(file) << entry << "    reserve:\n      - {for: \"user:ann\", units: 11}\n";
  problems = server_->reload(config_);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find(file + ":4:5: policies[0].reserve: the reservations sum to 11 units"),
            std::string::npos)
      << problems[0];
  EXPECT_EQ(status_of(checkout(seat, "user=mallory host=m1")), "not_allowed");

  // A right one applies at once; a policy the file no longer holds is deleted.
  std::ofstream(file) << entry << "    exclude: [user:ann]\n";
  EXPECT_EQ(server_->reload(config_), std::vector<std::string>{});
  EXPECT_EQ(status_of(checkout(seat, "user=ann host=a3")), "not_allowed");
  EXPECT_EQ(status_of(checkout(seat, "user=mallory host=m1")), "OK");
  std::ofstream(file) << "policies: []\n";
  EXPECT_EQ(server_->reload(config_), std::vector<std::string>{});
  EXPECT_EQ(call(root_token_, "GET", path() + "?product=cad").status, 404);
  EXPECT_EQ(status_of(checkout(seat, "user=ann host=a3")), "OK");
  EXPECT_EQ(status_of(checkout(seat, "user=eve host=e1")), "not_allowed");  // the API's, kept
}

}  // namespace
}  // namespace lmp::test
