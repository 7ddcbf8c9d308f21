// Who holds what, through the real listeners on each storage backend: leases checked out over the
// seat protocol and the HTTP seat routes, listed by GET /v1/leases with their holders, filtered,
// paged and scoped to the caller's subtree, the units in use and waiting in the license list, and
// an administrator's release (DELETE /v1/leases/{id}) that the endpoint hears as lease_revoked.
#include <boost/json/serialize.hpp>

#include <chrono>
#include <set>
#include <thread>
#include <tuple>

#include "admin_fixture.hpp"
#include "support/line_client.hpp"

namespace lmp::test {
namespace {

namespace json = boost::json;

class LeasesTest : public AdminApiTest {
 protected:
  void seed() override { config_.server.instance_id = "lic-test-1"; }

  void SetUp() override {
    AdminApiTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // A partner of each kind with one customer and one license of 5 seats.
    for (auto [kind, partner, customer, license] :
         {std::tuple{"msp", &msp_, &msp_customer_, &msp_license_},
          std::tuple{"reseller", &reseller_, &reseller_customer_, &reseller_license_}}) {
      *partner = make_partner(std::string(kind) + "-one", kind);
      *customer = make_customer(std::string(kind) + "-customer", *partner);
      *license = make_license(*customer, 5);
    }
  }

  struct License {
    std::int64_t id = 0;
    std::string code;
  };
  License make_license(std::int64_t customer, std::int64_t units) {
    auto made = ok(root_token_, "POST", "/v1/licenses",
                   {{"customer", customer}, {"product", "cad"}, {"units", units}, {"days", 365}});
    return {id_of(made), std::string(made.at("code").as_string())};
  }
  json::array items(const std::string& token, const std::string& target) {
    return ok(token, "GET", target).at("items").as_array();
  }
  // The public reference of the one live lease of `license`.
  std::string ref_of(const License& license) {
    const auto leases = items(root_token_, "/v1/leases?license=" + std::to_string(license.id));
    EXPECT_EQ(leases.size(), 1u) << json::serialize(leases);
    return leases.empty() ? std::string() : std::string(leases[0].at("id").as_string());
  }
  static std::set<std::string> ids(const json::array& leases) {
    std::set<std::string> out;
    for (const auto& lease : leases) out.insert(std::string(lease.at("id").as_string()));
    return out;
  }

  std::int64_t msp_ = 0, reseller_ = 0, msp_customer_ = 0, reseller_customer_ = 0;
  License msp_license_, reseller_license_;
};

INSTANTIATE_TEST_SUITE_P(Backends, LeasesTest, kStorageBackends, backend_name);

TEST_P(LeasesTest, ListsEachLiveLeaseWithItsHolder) {
  LineClient seat(server_->port(), "127.0.0.2");
  const auto granted =
      fields_of(seat.request("CHECKOUT code=" + msp_license_.code + " user=ann host=ws1 units=2"));
  ASSERT_EQ(granted.count("lease"), 1u);
  HttpClient http(server_->admin_port());
  auto over_http =
      http.post("/v1/seat/checkout", {{"code", reseller_license_.code}, {"user", "bob"}});
  ASSERT_EQ(over_http.status, 200) << over_http.body;

  server_->advance_seconds(30);
  EXPECT_EQ(status_of(seat.request("HEARTBEAT lease=" + granted.at("lease"))), "OK");

  const auto leases = items(root_token_, "/v1/leases?license=" + std::to_string(msp_license_.id));
  ASSERT_EQ(leases.size(), 1u) << json::serialize(leases);
  const auto& lease = leases[0].as_object();
  // The public reference, never the lease id (the endpoint's credential).
  const std::string ref(lease.at("id").as_string());
  EXPECT_EQ(ref.size(), 16u);
  EXPECT_EQ(granted.at("lease").find(ref), std::string::npos);
  EXPECT_EQ(lease.at("license"), msp_license_.id);
  EXPECT_EQ(lease.at("product"), "cad");
  EXPECT_EQ(lease.at("customer"), msp_customer_);
  EXPECT_EQ(lease.at("account"), msp_);
  EXPECT_EQ(lease.at("units"), 2);
  EXPECT_EQ(lease.at("user"), "ann");
  EXPECT_EQ(lease.at("host"), "ws1");
  EXPECT_EQ(lease.at("peer"), "127.0.0.2");
  EXPECT_EQ(lease.at("checked_out"), kNow);
  EXPECT_EQ(lease.at("last_heartbeat"), kNow + 30);
  EXPECT_EQ(
      lease.at("expires").as_int64(),
      std::stoll(fields_of(seat.request("HEARTBEAT lease=" + granted.at("lease"))).at("expires")));
  EXPECT_EQ(lease.at("borrowed"), false);
  EXPECT_EQ(lease.at("instance"), "lic-test-1");

  const auto other =
      items(root_token_, "/v1/leases?license=" + std::to_string(reseller_license_.id));
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].at("user"), "bob");
  EXPECT_EQ(other[0].at("host"), nullptr);
  EXPECT_EQ(other[0].at("peer"), "127.0.0.1");

  // The units in use show in the license list and in one license.
  auto licenses = items(root_token_, "/v1/licenses?customer=" + std::to_string(msp_customer_));
  ASSERT_EQ(licenses.size(), 1u);
  EXPECT_EQ(licenses[0].at("used"), 2);
  EXPECT_EQ(licenses[0].at("waiting"), 0);
  EXPECT_EQ(ok(root_token_, "GET", "/v1/licenses/" + std::to_string(msp_license_.id)).at("used"),
            2);

  // A checkin ends the listing; so does an expiry.
  EXPECT_EQ(status_of(seat.request("CHECKIN lease=" + granted.at("lease"))), "OK");
  EXPECT_TRUE(items(root_token_, "/v1/leases?license=" + std::to_string(msp_license_.id)).empty());
  server_->advance_seconds(3600);
  EXPECT_TRUE(items(root_token_, "/v1/leases").empty());
}

TEST_P(LeasesTest, FiltersNarrowAndMalformedOnesAreRefused) {
  LineClient seat(server_->port());
  for (const auto& [user, host] : {std::pair{"ann", "ws1"}, {"ann", "ws2"}, {"bob", "ws1"}})
    ASSERT_EQ(status_of(seat.request("CHECKOUT code=" + msp_license_.code + " user=" + user +
                                     " host=" + host)),
              "OK");
  ASSERT_EQ(status_of(seat.request("CHECKOUT code=" + reseller_license_.code + " user=ann")), "OK");

  EXPECT_EQ(items(root_token_, "/v1/leases").size(), 4u);
  EXPECT_EQ(items(root_token_, "/v1/leases?user=ann").size(), 3u);
  EXPECT_EQ(items(root_token_, "/v1/leases?user=ann&host=ws1").size(), 1u);
  EXPECT_EQ(items(root_token_, "/v1/leases?host=ws1").size(), 2u);
  EXPECT_EQ(items(root_token_, "/v1/leases?product=cad").size(), 4u);
  EXPECT_EQ(items(root_token_, "/v1/leases?product=agent").size(), 0u);
  EXPECT_EQ(items(root_token_, "/v1/leases?customer=" + std::to_string(msp_customer_)).size(), 3u);
  EXPECT_EQ(items(root_token_, "/v1/leases?partner=" + std::to_string(reseller_)).size(), 1u);
  EXPECT_EQ(items(root_token_, "/v1/leases?borrowed=false").size(), 4u);
  EXPECT_EQ(items(root_token_, "/v1/leases?borrowed=true").size(), 0u);

  for (const char* bad : {"license=abc", "customer=-1", "partner=x", "borrowed=yes", "limit=0",
                          "limit=1001", "after=not-a-cursor", "user=%zz"}) {
    SCOPED_TRACE(bad);
    auto reply = call(root_token_, "GET", std::string("/v1/leases?") + bad);
    EXPECT_EQ(reply.status, 400) << reply.body;
    EXPECT_EQ(reply.error_code(), "bad_request");
  }
}

TEST_P(LeasesTest, PagesFollowTheCursorUntilTheLastOne) {
  LineClient seat(server_->port());
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(status_of(seat.request("CHECKOUT code=" + msp_license_.code + " host=h" +
                                     std::to_string(i))),
              "OK");
  std::set<std::string> seen;
  std::string target = "/v1/leases?limit=2";
  int pages = 0;
  for (;;) {
    auto page = ok(root_token_, "GET", target);
    for (const auto& id : ids(page.at("items").as_array())) EXPECT_TRUE(seen.insert(id).second);
    ++pages;
    if (page.at("next").is_null()) break;
    target = "/v1/leases?limit=2&after=" + std::string(page.at("next").as_string());
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 5u);
}

TEST_P(LeasesTest, EachCallerSeesTheLeasesOfItsOwnSubtree) {
  LineClient seat(server_->port());
  ASSERT_EQ(status_of(seat.request("CHECKOUT code=" + msp_license_.code + " host=a")), "OK");
  ASSERT_EQ(status_of(seat.request("CHECKOUT code=" + reseller_license_.code + " host=b")), "OK");
  const auto msp = make_user("msp-admin", "account", msp_).token;
  const auto reseller = make_user("reseller-admin", "account", reseller_).token;
  const auto customer = make_user("msp-customer-admin", "customer", msp_customer_).token;

  const auto mine = items(msp, "/v1/leases");
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].at("customer"), msp_customer_);
  EXPECT_TRUE(items(msp, "/v1/leases?customer=" + std::to_string(reseller_customer_)).empty());
  EXPECT_TRUE(items(msp, "/v1/leases?partner=" + std::to_string(reseller_)).empty());
  const auto own = items(customer, "/v1/leases");
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(own[0].at("customer"), msp_customer_);

  // A reseller may not view license information by default; given it, it sees its customers'.
  EXPECT_EQ(call(reseller, "GET", "/v1/leases").status, 403);
  ok(root_token_, "PUT", "/v1/partners/" + std::to_string(reseller_) + "/permissions",
     {{"permissions", {"create_customers", "view_customers", "view_licenses"}}});
  const auto theirs = items(reseller, "/v1/leases");
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_EQ(theirs[0].at("customer"), reseller_customer_);
}

TEST_P(LeasesTest, TheLicenseListCountsTheCheckoutsThatWait) {
  const auto one = make_license(msp_customer_, 1);
  LineClient holder(server_->port()), waiter(server_->port());
  ASSERT_EQ(status_of(holder.request("CHECKOUT code=" + one.code + " host=a")), "OK");
  waiter.send("CHECKOUT code=" + one.code + " host=b wait=60");
  const std::string target = "/v1/licenses/" + std::to_string(one.id);
  std::int64_t waiting = 0;
  for (int i = 0; i < 200 && waiting == 0; ++i) {
    waiting = ok(root_token_, "GET", target).at("waiting").as_int64();
    if (waiting == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(waiting, 1);
  auto listed = items(root_token_, "/v1/licenses?customer=" + std::to_string(msp_customer_));
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[1].at("waiting"), 1);
  EXPECT_EQ(listed[1].at("used"), 1);
}

TEST_P(LeasesTest, AReleaseFreesTheUnitsAtOnceAndTheEndpointHearsLeaseRevoked) {
  const auto one = make_license(msp_customer_, 1);
  LineClient holder(server_->port()), waiter(server_->port());
  const auto granted =
      fields_of(holder.request("CHECKOUT code=" + one.code + " user=ann host=ws1"));
  ASSERT_EQ(granted.count("lease"), 1u);
  const std::string lease = granted.at("lease");
  waiter.send("CHECKOUT code=" + one.code + " user=bob host=ws2 wait=60");
  EXPECT_EQ(waiter.read_line(std::chrono::milliseconds(300)), std::nullopt);
  const std::string ref = ref_of(one);

  const auto released = ok(root_token_, "DELETE", "/v1/leases/" + ref, {{"reason", "ws1 crashed"}});
  EXPECT_EQ(released.at("id").as_string(), ref);
  EXPECT_EQ(released.at("user"), "ann");
  EXPECT_EQ(released.at("released"), kNow);
  EXPECT_EQ(released.at("reason"), "ws1 crashed");

  // The unit is free at once: the waiter has it, and it is the license's only lease.
  const auto served = waiter.read_line();
  ASSERT_TRUE(served);
  EXPECT_EQ(status_of(*served), "OK") << *served;
  const auto now_held = items(root_token_, "/v1/leases?license=" + std::to_string(one.id));
  ASSERT_EQ(now_held.size(), 1u);
  EXPECT_EQ(now_held[0].at("user"), "bob");

  // The endpoint hears it at its next request about the lease, with the reason, on both paths.
  for (const char* verb : {"HEARTBEAT", "CHECKIN"}) {
    const std::string answer = holder.request(std::string(verb) + " lease=" + lease);
    EXPECT_EQ(status_of(answer), "lease_revoked") << answer;
    EXPECT_EQ(fields_of(answer)["msg"], "released by an administrator: ws1 crashed") << answer;
  }
  HttpClient http(server_->admin_port());
  for (const char* op : {"heartbeat", "checkin"}) {
    auto reply = http.post(std::string("/v1/seat/") + op, {{"lease", lease}});
    EXPECT_EQ(reply.status, 410) << op << ": " << reply.body;
    EXPECT_EQ(reply.error_code(), "lease_revoked") << op;
  }

  // Audited: who, which lease, the reason.
  const auto audit = items(root_token_, "/v1/audit?action=lease.release");
  ASSERT_EQ(audit.size(), 1u) << json::serialize(audit);
  EXPECT_EQ(audit[0].at("object").as_string(), "lease:" + ref);
  EXPECT_EQ(audit[0].at("after").at("reason"), "ws1 crashed");
  EXPECT_EQ(audit[0].at("before").at("user"), "ann");

  // A lease released is not live any more: releasing it again finds nothing.
  auto again = call(root_token_, "DELETE", "/v1/leases/" + ref, {{"reason", "twice"}});
  EXPECT_EQ(again.status, 404) << again.body;
  EXPECT_EQ(items(root_token_, "/v1/audit?action=lease.release").size(), 1u);

  // A lease duration (300 s here) after the release, the lease id means nothing any more.
  server_->advance_seconds(301);
  EXPECT_EQ(status_of(holder.request("HEARTBEAT lease=" + lease)), "lease_unknown");
}

TEST_P(LeasesTest, ReleasesWithoutAReasonOrOutsideTheCallersReachAreRefused) {
  LineClient seat(server_->port());
  ASSERT_EQ(status_of(seat.request("CHECKOUT code=" + msp_license_.code + " host=a")), "OK");
  ASSERT_EQ(status_of(seat.request("CHECKOUT code=" + reseller_license_.code + " host=b")), "OK");
  const std::string msp_ref = ref_of(msp_license_);
  const std::string reseller_ref = ref_of(reseller_license_);
  const auto msp = make_user("msp-admin", "account", msp_).token;
  const auto reseller = make_user("reseller-admin", "account", reseller_).token;
  const auto customer = make_user("msp-customer-admin", "customer", msp_customer_).token;

  auto expect = [&](const std::string& token, const std::string& target, int status,
                    const char* code) {
    SCOPED_TRACE(target);
    auto reply = call(token, "DELETE", target);
    EXPECT_EQ(reply.status, status) << reply.body;
    EXPECT_EQ(reply.error_code(), code);
  };
  expect(root_token_, "/v1/leases/" + msp_ref, 400, "bad_request");
  expect(root_token_, "/v1/leases/" + msp_ref + "?reason=", 400, "bad_request");
  expect(root_token_, "/v1/leases/" + msp_ref + "?reason=" + std::string(201, 'x'), 400,
         "bad_request");
  expect(root_token_, "/v1/leases/0123456789abcdef?reason=x", 404, "not_found");
  expect(root_token_, "/v1/leases/not-a-reference?reason=x", 404, "not_found");
  // Another partner's lease is outside the MSP's subtree.
  expect(msp, "/v1/leases/" + reseller_ref + "?reason=x", 404, "not_found");
  // A reseller may not modify its customers by default, and a customer's user releases nothing.
  expect(reseller, "/v1/leases/" + reseller_ref + "?reason=x", 403, "forbidden");
  expect(customer, "/v1/leases/" + msp_ref + "?reason=x", 403, "forbidden");
  EXPECT_EQ(items(root_token_, "/v1/leases").size(), 2u);
  EXPECT_TRUE(items(root_token_, "/v1/audit?action=lease.release").empty());

  // The MSP releases its customer's lease, the reason as a query parameter (as lmpctl sends it).
  auto released = ok(msp, "DELETE", "/v1/leases/" + msp_ref + "?reason=moved%20desks");
  EXPECT_EQ(released.at("reason"), "moved desks");
  const auto left = items(root_token_, "/v1/leases");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].at("id").as_string(), reseller_ref);
}

}  // namespace
}  // namespace lmp::test
