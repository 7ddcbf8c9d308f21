// The authorization matrix, on each storage backend: every admin endpoint called as the parent,
// an MSP, a reseller, a customer of the MSP, a customer of the reseller (another partner) and
// without a token, each answer checked exactly. Targets are objects in the MSP's subtree, so the
// reseller and its customer show the 404 of "outside my subtree".
#include <boost/json/serialize.hpp>

#include "admin_fixture.hpp"
#include "support/line_client.hpp"

namespace lmp::test {
namespace {

namespace json = boost::json;

enum Who { kParent, kMsp, kReseller, kCustomer, kOtherCustomer, kAnonymous, kCallers };
const char* const kWhoNames[kCallers] = {"parent",         "msp",      "reseller", "customer",
                                         "other_customer", "anonymous"};

class AuthorizationMatrix : public AdminApiTest {
 protected:
  void SetUp() override {
    AdminApiTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    msp_ = make_partner("msp-one", "msp");
    reseller_ = make_partner("reseller-one", "reseller");
    msp_customer_ = make_customer("msp-customer", msp_);
    reseller_customer_ = make_customer("reseller-customer", reseller_);
    tokens_[kParent] = root_token_;
    tokens_[kMsp] = make_user("msp-admin", "account", msp_).token;
    tokens_[kReseller] = make_user("reseller-admin", "account", reseller_).token;
    auto customer_user = make_user("msp-customer-admin", "customer", msp_customer_);
    customer_user_ = customer_user.user;
    tokens_[kCustomer] = customer_user.token;
    tokens_[kOtherCustomer] =
        make_user("reseller-customer-admin", "customer", reseller_customer_).token;
  }

  struct Row {
    std::string method;
    std::string path;
    // The body for the call by `who` (names differ per caller where the call creates).
    std::function<json::value(Who)> body;
    std::array<int, kCallers> expected;
  };

  void check(const Row& row) {
    for (int who = 0; who < kCallers; ++who) {
      SCOPED_TRACE(row.method + " " + row.path + " as " + kWhoNames[who]);
      const json::value body = row.body ? row.body(static_cast<Who>(who)) : json::value(nullptr);
      auto reply = call(tokens_[who], row.method, row.path, body);
      EXPECT_EQ(reply.status, row.expected[static_cast<std::size_t>(who)]) << reply.body;
      EXPECT_EQ(reply.header("content-type"), "application/json");
      if (reply.status == 401) {
        EXPECT_EQ(reply.error_code(), "unauthorized");
        EXPECT_EQ(reply.header("www-authenticate"), "Bearer");
      }
      if (reply.status == 403) {
        EXPECT_EQ(reply.error_code(), "forbidden");
      }
      if (reply.status == 404) {
        EXPECT_EQ(reply.error_code(), "not_found");
      }
    }
  }

  static std::function<json::value(Who)> named(const std::string& prefix, json::object extra = {}) {
    return [prefix, extra](Who who) {
      json::object body = extra;
      body["name"] = prefix + "-" + kWhoNames[who];
      return json::value(body);
    };
  }
  static std::function<json::value(Who)> fixed(json::value body) {
    return [body](Who) { return body; };
  }
  std::string id(std::int64_t value) const { return std::to_string(value); }

  std::int64_t msp_ = 0, reseller_ = 0, msp_customer_ = 0, reseller_customer_ = 0;
  std::int64_t customer_user_ = 0;
  std::array<std::string, kCallers> tokens_;
};

INSTANTIATE_TEST_SUITE_P(Backends, AuthorizationMatrix, kStorageBackends, backend_name);

constexpr int A = 200, U = 401, F = 403, N = 404;

TEST_P(AuthorizationMatrix, Me) {
  check({"GET", "/v1/me", nullptr, {A, A, A, A, A, U}});
}

TEST_P(AuthorizationMatrix, Partners) {
  check({"POST", "/v1/partners", named("partner", {{"kind", "reseller"}}), {A, F, F, F, F, U}});
  check({"GET", "/v1/partners", nullptr, {A, F, F, F, F, U}});
  check({"GET", "/v1/partners/" + id(msp_), nullptr, {A, F, F, F, F, U}});
  check({"PUT",
         "/v1/partners/" + id(msp_) + "/permissions",
         fixed({{"permissions", {"create_customers", "view_customers", "modify_customers"}}}),
         {A, F, F, F, F, U}});
  check({"POST",
         "/v1/partners/" + id(msp_) + "/status",
         fixed({{"status", "active"}}),
         {A, F, F, F, F, U}});
}

TEST_P(AuthorizationMatrix, Customers) {
  check({"POST", "/v1/customers", named("customer"), {A, A, A, F, F, U}});
  check({"GET", "/v1/customers", nullptr, {A, A, A, A, A, U}});
  check({"GET", "/v1/customers/" + id(msp_customer_), nullptr, {A, A, N, A, N, U}});
  check({"GET", "/v1/customers/999999", nullptr, {N, N, N, N, N, U}});
  check({"POST",
         "/v1/customers/" + id(msp_customer_) + "/status",
         fixed({{"status", "enabled"}}),
         {A, A, F, F, N, U}});
  check({"PATCH", "/v1/customers/" + id(msp_customer_), named("renamed"), {A, A, F, F, N, U}});
  // Each caller deletes a customer of the MSP's made for it; the customer's own user may not
  // delete its customer either.
  std::array<int, kCallers> expected{A, A, F, N, N, U};
  for (int who = 0; who < kCallers; ++who) {
    const auto fresh = make_customer(std::string("doomed-") + kWhoNames[who], msp_);
    SCOPED_TRACE(std::string("DELETE /v1/customers as ") + kWhoNames[who]);
    auto reply = call(tokens_[who], "DELETE", "/v1/customers/" + id(fresh));
    EXPECT_EQ(reply.status, expected[static_cast<std::size_t>(who)]) << reply.body;
  }
  EXPECT_EQ(call(tokens_[kCustomer], "DELETE", "/v1/customers/" + id(msp_customer_)).status, F);
}

TEST_P(AuthorizationMatrix, SitePolicy) {
  const std::string path = "/v1/customers/" + id(msp_customer_) + "/policy";
  check({"GET", path, nullptr, {A, A, N, A, N, U}});
  check({"GET", path + "/check?product=cad&user=ann", nullptr, {A, A, N, A, N, U}});
  check({"PUT", path, fixed({{"linger", 5}}), {A, A, F, F, N, U}});
  // The parent deletes the policy; then there is none to delete.
  check({"DELETE", path, nullptr, {A, N, F, F, N, U}});
}

TEST_P(AuthorizationMatrix, UsersAndTokens) {
  check({"POST", "/v1/users", named("user"), {A, A, A, A, A, U}});
  check({"POST",
         "/v1/users",
         named("customer-user", {{"customer", msp_customer_}}),
         {A, A, F, A, N, U}});
  check({"GET", "/v1/users", nullptr, {A, A, A, A, A, U}});
  check({"POST", "/v1/users/" + id(customer_user_) + "/tokens", nullptr, {A, A, N, A, N, U}});
  check({"GET", "/v1/users/" + id(customer_user_) + "/tokens", nullptr, {A, A, N, A, N, U}});
  check({"PATCH", "/v1/users/" + id(customer_user_), named("renamed"), {A, A, N, A, N, U}});
  // Each caller deletes a user of the MSP's customer made for it.
  std::array<int, kCallers> deletes{A, A, N, A, N, U};
  for (int who = 0; who < kCallers; ++who) {
    const auto fresh =
        make_user(std::string("doomed-") + kWhoNames[who], "customer", msp_customer_).user;
    SCOPED_TRACE(std::string("DELETE /v1/users as ") + kWhoNames[who]);
    auto reply = call(tokens_[who], "DELETE", "/v1/users/" + id(fresh));
    EXPECT_EQ(reply.status, deletes[static_cast<std::size_t>(who)]) << reply.body;
  }
  // Each caller revokes a token of its own, freshly issued by the parent.
  std::array<int, kCallers> expected{A, A, N, A, N, U};
  for (int who = 0; who < kCallers; ++who) {
    auto fresh = ok(root_token_, "POST", "/v1/users/" + id(customer_user_) + "/tokens");
    SCOPED_TRACE(std::string("DELETE /v1/tokens as ") + kWhoNames[who]);
    auto reply = call(tokens_[who], "DELETE", "/v1/tokens/" + id(id_of(fresh)));
    EXPECT_EQ(reply.status, expected[static_cast<std::size_t>(who)]) << reply.body;
  }
}

TEST_P(AuthorizationMatrix, Audit) {
  check({"GET", "/v1/audit", nullptr, {A, A, A, A, A, U}});
  check({"GET", "/v1/audit?account=" + id(msp_), nullptr, {A, A, N, N, N, U}});
  check({"GET", "/v1/audit?customer=" + id(msp_customer_), nullptr, {A, A, N, A, N, U}});
}

TEST_P(AuthorizationMatrix, EventsAndWebhooks) {
  check({"GET", "/v1/events", nullptr, {A, A, A, A, A, U}});
  check({"GET", "/v1/events?account=" + id(msp_), nullptr, {A, A, N, N, N, U}});
  check({"GET", "/v1/events?customer=" + id(msp_customer_), nullptr, {A, A, N, A, N, U}});
  check({"POST", "/v1/webhooks", fixed({{"url", "http://127.0.0.1:9/h"}}), {A, A, A, A, A, U}});
  check({"GET", "/v1/webhooks", nullptr, {A, A, A, A, A, U}});
  const auto msp_hook =
      id_of(admin_call(server_->admin_port(), tokens_[kMsp], "POST", "/v1/webhooks",
                       json::value{{"url", "http://127.0.0.1:9/msp"}})
                .json());
  check({"GET", "/v1/webhooks/" + id(msp_hook), nullptr, {A, A, N, N, N, U}});
  check({"GET", "/v1/webhooks/" + id(msp_hook) + "/deliveries", nullptr, {A, A, N, N, N, U}});
}

TEST_P(AuthorizationMatrix, Branding) {
  check({"GET", "/v1/branding", nullptr, {A, A, A, A, A, U}});
  check({"PUT", "/v1/branding", fixed({{"display_name", "Ours"}}), {A, A, F, F, F, U}});
}

TEST_P(AuthorizationMatrix, Products) {
  check({"GET", "/v1/products", nullptr, {A, A, A, A, A, U}});
  check({"GET", "/v1/products/cad", nullptr, {A, A, A, A, A, U}});
  check({"GET", "/v1/products/nope", nullptr, {N, N, N, N, N, U}});
  // Dates far ahead, so the product stays usable for the calls that follow.
  const json::value later = {{"at", 4102444800}};
  check({"POST", "/v1/products/agent/end-of-life?dry_run=true", nullptr, {A, F, F, F, F, U}});
  check({"POST", "/v1/products/agent/end-of-sale", fixed(later), {A, F, F, F, F, U}});
  check({"POST", "/v1/products/agent/end-of-life", fixed(later), {A, F, F, F, F, U}});
}

TEST_P(AuthorizationMatrix, Licenses) {
  auto new_license = [&](bool trial) {
    return id_of(ok(root_token_, "POST", "/v1/licenses",
                    {{"customer", msp_customer_},
                     {"product", "cad"},
                     {"units", 1},
                     {"days", 30},
                     {"trial", trial}}));
  };
  const std::int64_t license = new_license(false);
  // A partner's license draws from its pool: without one the MSP is refused, with one it is not.
  const json::object body{
      {"customer", msp_customer_}, {"product", "cad"}, {"units", 1}, {"days", 30}};
  EXPECT_EQ(call(tokens_[kMsp], "POST", "/v1/licenses", body).status, 409);
  ok(root_token_, "PUT", "/v1/partners/" + id(msp_) + "/pools/cad", {{"units", 10}});
  check({"POST", "/v1/licenses", fixed(body), {A, A, N, F, F, U}});
  check({"GET", "/v1/licenses", nullptr, {A, A, F, A, A, U}});
  check({"GET", "/v1/licenses/" + id(license), nullptr, {A, A, F, A, N, U}});
  check({"GET", "/v1/licenses/999999", nullptr, {N, N, F, N, N, U}});
  check(
      {"POST", "/v1/licenses/" + id(license) + "/renew", fixed({{"days", 1}}), {A, A, F, F, F, U}});
  check(
      {"PUT", "/v1/licenses/" + id(license) + "/units", fixed({{"units", 2}}), {A, A, F, F, F, U}});
  // Only the vendor (the parent) signs entitlements; anyone of an account may read the site id.
  check({"POST",
         "/v1/licenses/" + id(license) + "/entitlement",
         fixed({{"site", "site-a"}}),
         {A, F, F, F, F, U}});
  check({"GET", "/v1/site", nullptr, {A, A, A, F, F, U}});
  // Importing is the parent's too (on this server, which is no site server, refused as such).
  for (int who = 0; who < kCallers; ++who) {
    SCOPED_TRACE(std::string("POST /v1/entitlements as ") + kWhoNames[who]);
    auto reply = call(tokens_[who], "POST", "/v1/entitlements", {{"entitlement", "x"}});
    EXPECT_EQ(reply.status, who == kParent ? 409 : who == kAnonymous ? U : F) << reply.body;
  }
  // Each caller converts a trial of its own: a converted license is no trial any more.
  std::array<int, kCallers> expected{A, A, F, F, F, U};
  for (int who = 0; who < kCallers; ++who) {
    const std::string path = "/v1/licenses/" + id(new_license(true)) + "/convert";
    SCOPED_TRACE("POST " + path + " as " + kWhoNames[who]);
    auto reply = call(tokens_[who], "POST", path, json::object{});
    EXPECT_EQ(reply.status, expected[static_cast<std::size_t>(who)]) << reply.body;
  }
}

TEST_P(AuthorizationMatrix, Leases) {
  check({"GET", "/v1/leases", nullptr, {A, A, F, A, A, U}});
  check({"GET", "/v1/leases?customer=" + id(msp_customer_), nullptr, {A, A, F, A, A, U}});
  // Each caller releases a lease of its own, checked out on a license of the MSP's customer.
  const auto license =
      ok(root_token_, "POST", "/v1/licenses",
         {{"customer", msp_customer_}, {"product", "cad"}, {"units", kCallers}, {"days", 30}});
  const std::string code(license.at("code").as_string());
  LineClient seat(server_->port());
  std::array<int, kCallers> expected{A, A, F, F, F, U};
  for (int who = 0; who < kCallers; ++who) {
    const std::string host = "h" + std::to_string(who);
    ASSERT_EQ(status_of(seat.request("CHECKOUT code=" + code + " host=" + host)), "OK");
    const auto leases = ok(root_token_, "GET", "/v1/leases?host=" + host).at("items").as_array();
    ASSERT_EQ(leases.size(), 1u);
    const std::string path =
        "/v1/leases/" + std::string(leases[0].at("id").as_string()) + "?reason=matrix";
    SCOPED_TRACE("DELETE " + path + " as " + kWhoNames[who]);
    auto reply = call(tokens_[who], "DELETE", path);
    EXPECT_EQ(reply.status, expected[static_cast<std::size_t>(who)]) << reply.body;
  }
}

TEST_P(AuthorizationMatrix, UsageReports) {
  // Whoever may view licenses may see their use: the reseller may not by default.
  check({"GET", "/v1/usage?from=1767139200", nullptr, {A, A, F, A, A, U}});
  check({"GET",
         "/v1/usage?from=1767139200&group=customer&period=month&partner=" + id(msp_),
         nullptr,
         {A, A, F, A, A, U}});
}

// Plans, keys and pools: the MSP's objects are outside the reseller's subtree. Both partners have
// pools, so their key issues succeed.
class SellingMatrix : public AuthorizationMatrix {
 protected:
  void SetUp() override {
    AuthorizationMatrix::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (auto partner : {msp_, reseller_})
      ok(root_token_, "PUT", "/v1/partners/" + id(partner) + "/pools/cad", {{"units", 100000}});
    parent_plan_ = id_of(ok(root_token_, "POST", "/v1/plans", plan_body("parent-plan")));
    msp_plan_ = id_of(ok(tokens_[kMsp], "POST", "/v1/plans", plan_body("msp-plan")));
  }
  static json::object plan_body(const std::string& name) {
    return {{"name", name}, {"product", "cad"}, {"trial", false}, {"period_days", 30}};
  }
  json::value msp_key() {
    return ok(tokens_[kMsp], "POST", "/v1/registration-keys", {{"plan", msp_plan_}, {"units", 1}})
        .at("keys")
        .at(0);
  }
  // Each caller acts on a key of its own, freshly issued by the MSP.
  void check_each(const std::string& what, const std::function<HttpReply(Who, json::value)>& act,
                  std::array<int, kCallers> expected) {
    for (int who = 0; who < kCallers; ++who) {
      SCOPED_TRACE(what + " as " + kWhoNames[who]);
      auto reply = act(static_cast<Who>(who), msp_key());
      EXPECT_EQ(reply.status, expected[static_cast<std::size_t>(who)]) << reply.body;
      if (reply.status == 403) {
        EXPECT_EQ(reply.error_code(), "forbidden");
      }
      if (reply.status == 404) {
        EXPECT_EQ(reply.error_code(), "not_found");
      }
    }
  }
  std::int64_t parent_plan_ = 0, msp_plan_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, SellingMatrix, kStorageBackends, backend_name);

TEST_P(SellingMatrix, Plans) {
  check({"POST", "/v1/plans", named("plan", plan_body("")), {A, A, F, F, F, U}});
  check({"GET", "/v1/plans", nullptr, {A, A, A, F, F, U}});
  check({"GET", "/v1/plans/" + id(msp_plan_), nullptr, {A, A, N, F, F, U}});
  check({"GET", "/v1/plans/" + id(parent_plan_), nullptr, {A, A, A, F, F, U}});
  check({"GET", "/v1/plans/999999", nullptr, {N, N, N, F, F, U}});
  check({"PATCH", "/v1/plans/" + id(msp_plan_), fixed({{"period_days", 10}}), {A, A, F, F, F, U}});
  check({"PUT", "/v1/plans/" + id(msp_plan_), fixed({{"period_days", 11}}), {A, A, F, F, F, U}});
  // The parent's plan serves the MSP, but only its owner (and those above) may change it.
  check(
      {"PATCH", "/v1/plans/" + id(parent_plan_), fixed({{"period_days", 12}}), {A, F, F, F, F, U}});
}

TEST_P(SellingMatrix, Keys) {
  const std::string keys = "/v1/registration-keys";
  check({"POST", keys, fixed({{"plan", parent_plan_}, {"units", 1}}), {A, A, A, F, F, U}});
  check({"POST", keys, fixed({{"plan", msp_plan_}, {"units", 1}}), {A, A, N, F, F, U}});
  check({"GET", keys, nullptr, {A, A, A, F, F, U}});
  // The list's old path: with a token still the list (deprecated), without one the server's
  // public signing keys (protocol 1.1, borrowing), which the well-known path gives everyone.
  check({"GET", "/v1/keys", nullptr, {A, A, A, F, F, A}});
  check({"GET", "/.well-known/jwks.json", nullptr, {A, A, A, A, A, A}});
  check({"POST", "/v1/keys/rotate", nullptr, {A, F, F, F, F, U}});
  check({"GET", keys + "/" + id(id_of(msp_key())), nullptr, {A, A, N, F, F, U}});
  check({"GET", keys + "/999999", nullptr, {N, N, N, F, F, U}});
  check_each("POST /v1/registration-keys/{id}/void",
             [&](Who who, json::value key) {
               return call(tokens_[who], "POST", keys + "/" + id(id_of(key)) + "/void");
             },
             {A, A, N, F, F, U});
  // Redeeming is open: a customer's user redeems into its customer, no token makes a new
  // customer; account users are refused.
  check_each("POST /v1/registration-keys/redeem",
             [&](Who who, json::value key) {
               return call(
                   tokens_[who], "POST", "/v1/registration-keys/redeem",
                   {{"key", key.at("key")}, {"customer", std::string("new-") + kWhoNames[who]}});
             },
             {F, F, F, A, A, A});
}

TEST_P(SellingMatrix, Pools) {
  check({"PUT",
         "/v1/partners/" + id(msp_) + "/pools/cad",
         fixed({{"units", 200000}}),
         {A, F, F, F, F, U}});
  check({"GET", "/v1/partners/" + id(msp_) + "/pools", nullptr, {A, A, F, F, F, U}});
  check({"GET", "/v1/partners/999999/pools", nullptr, {N, F, F, F, F, U}});
  check({"PUT",
         "/v1/partners/" + id(msp_) + "/pools/nope",
         fixed({{"units", 1}}),
         {N, F, F, F, F, U}});
}

TEST_P(AuthorizationMatrix, BadTokensAreRefusedAlike) {
  for (const std::string& header :
       std::vector<std::string>{"Bearer lmp_0000000000000000000000000000000000000000", "Bearer ",
                                "Basic YWRtaW46eA==", "bearer " + root_token_ + "x"}) {
    HttpClient client(server_->admin_port());
    client.send_raw(request_text("GET", "/v1/me", {}, {}, {"Authorization: " + header}));
    auto reply = client.read_reply();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 401) << header;
    EXPECT_EQ(reply->error_code(), "unauthorized");
  }
  // The scheme is case-insensitive.
  HttpClient client(server_->admin_port());
  client.send_raw(request_text("GET", "/v1/me", {}, {}, {"Authorization: bearer " + root_token_}));
  EXPECT_EQ(client.read_reply()->status, 200);
}

}  // namespace
}  // namespace lmp::test
