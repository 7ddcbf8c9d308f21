// Issue #21, the gaps a new user found in the admin API, on each storage backend: customers and
// users renamed and deleted (a customer holding licenses is refused, typed), API tokens listed
// without their text, and End of Life's dry run, whose counts are those of the real deletion.
#include <soci/soci.h>

#include <boost/json/serialize.hpp>

#include "admin_fixture.hpp"
#include "support/line_client.hpp"

namespace lmp::test {
namespace {
namespace json = boost::json;

class CustomersAndUsers : public AdminApiTest {
 protected:
  // The audit records of `action`, newest last.
  json::array audit_of(const std::string& action) {
    return ok(root_token_, "GET", "/v1/audit?action=" + action).at("items").as_array();
  }
  std::int64_t rows(const std::string& query) {
    auto sql = raw_session();
    long long count = 0;
    *sql << query, soci::into(count);
    return count;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, CustomersAndUsers, kStorageBackends, backend_name);

TEST_P(CustomersAndUsers, ACustomerIsRenamedUniquelyAndAudited) {
  const auto msp = make_partner("Fabrikam", "msp");
  const auto acme = make_customer("acme", msp);
  make_customer("globex", 0);
  const std::string path = "/v1/customers/" + std::to_string(acme);
  auto renamed = ok(root_token_, "PATCH", path, {{"name", "Acme Corp"}});
  EXPECT_EQ(renamed.at("name"), "Acme Corp");
  EXPECT_EQ(renamed.at("account"), msp);
  EXPECT_EQ(ok(root_token_, "GET", path).at("name"), "Acme Corp");
  // Names are unique in the whole tree.
  auto taken = call(root_token_, "PATCH", path, {{"name", "globex"}});
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(taken.error_code(), "name_taken");
  EXPECT_EQ(call(root_token_, "PATCH", path, json::object{}).error_code(), "bad_request");
  const auto records = audit_of("customer.rename");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("before").at("name"), "acme");
  EXPECT_EQ(records[0].at("after").at("name"), "Acme Corp");
  // A customer's own user may not rename its customer.
  auto own = make_user("acme-admin", "customer", acme);
  EXPECT_EQ(call(own.token, "PATCH", path, {{"name", "mine"}}).status, 403);
}

TEST_P(CustomersAndUsers, ADeletedCustomerTakesItsUsersTokensPoliciesAndWebhooks) {
  const auto acme = make_customer("acme", 0);
  const std::string path = "/v1/customers/" + std::to_string(acme);
  auto user = make_user("acme-admin", "customer", acme);
  ok(root_token_, "PUT", path + "/policy", {{"linger", 5}});
  ok(user.token, "POST", "/v1/webhooks", {{"url", "http://127.0.0.1:9/acme"}});
  ASSERT_EQ(call(user.token, "GET", "/v1/me").status, 200);

  EXPECT_EQ(ok(root_token_, "DELETE", path), json::object());
  EXPECT_EQ(call(root_token_, "GET", path).status, 404);
  EXPECT_EQ(call(root_token_, "DELETE", path).status, 404);
  // Its user's token stops working at once.
  EXPECT_EQ(call(user.token, "GET", "/v1/me").status, 401);
  const std::string id = std::to_string(acme);
  EXPECT_EQ(rows("SELECT COUNT(*) FROM users WHERE customer_id = " + id), 0);
  EXPECT_EQ(rows("SELECT COUNT(*) FROM site_policies WHERE customer_id = " + id), 0);
  EXPECT_EQ(rows("SELECT COUNT(*) FROM webhooks WHERE scope LIKE '%/c" + id + "/'"), 0);
  const auto records = audit_of("customer.delete");
  ASSERT_EQ(records.size(), 1u);
  const auto& before = records[0].at("before");
  EXPECT_EQ(before.at("name"), "acme");
  EXPECT_EQ(before.at("users_deleted"), 1);
  EXPECT_EQ(before.at("policies_deleted"), 1);
  EXPECT_EQ(before.at("webhooks_deleted"), 1);
  // The name is free again.
  EXPECT_EQ(call(root_token_, "POST", "/v1/customers", {{"name", "acme"}}).status, 200);
}

// A license is what was sold and what usage records count: deleting a customer never deletes
// one. The refusal is typed and says what to do.
TEST_P(CustomersAndUsers, ACustomerHoldingLicensesIsRefusedWithWhatToDoFirst) {
  const auto held = make_customer_license("acme", 2);
  const std::string path = "/v1/customers/" + std::to_string(held.customer);
  HttpClient client(server_->admin_port());
  ASSERT_EQ(client.post("/v1/seat/checkout", {{"code", held.code}}).status, 200);
  for (const char* status : {"enabled", "disabled"}) {
    SCOPED_TRACE(status);
    if (std::string(status) == "disabled")
      ok(root_token_, "POST", path + "/status", {{"status", status}});
    auto refused = call(root_token_, "DELETE", path);
    EXPECT_EQ(refused.status, 409);
    EXPECT_EQ(refused.error_code(), "customer_in_use");
    EXPECT_NE(refused.body.find("1 license(s)"), std::string::npos) << refused.body;
    EXPECT_NE(refused.body.find("End of Life"), std::string::npos) << refused.body;
  }
  EXPECT_EQ(ok(root_token_, "GET", path).at("licenses"), 1);
  EXPECT_EQ(call(root_token_, "GET", "/v1/licenses/" + std::to_string(held.license)).status, 200);
  EXPECT_TRUE(audit_of("customer.delete").empty());
}

TEST_P(CustomersAndUsers, AUserIsRenamedAndDeletedAndItsTokensStopWorking) {
  const auto msp = make_partner("Fabrikam", "msp");
  auto ops = make_user("ops", "account", msp);
  auto boss = make_user("boss", "account", msp);
  const std::string path = "/v1/users/" + std::to_string(ops.user);
  EXPECT_EQ(ok(boss.token, "PATCH", path, {{"name", "operations"}}).at("name"), "operations");
  EXPECT_EQ(ok(ops.token, "GET", "/v1/me").at("user").at("name"), "operations");
  // Nobody deletes their own user: another user of the place must.
  auto self = call(boss.token, "DELETE", "/v1/users/" + std::to_string(boss.user));
  EXPECT_EQ(self.status, 403);
  EXPECT_EQ(ok(boss.token, "DELETE", path), json::object());
  EXPECT_EQ(call(ops.token, "GET", "/v1/me").status, 401);
  EXPECT_EQ(call(boss.token, "PATCH", path, {{"name", "again"}}).status, 404);
  EXPECT_EQ(rows("SELECT COUNT(*) FROM tokens WHERE user_id = " + std::to_string(ops.user)), 0);
  const auto records = audit_of("user.delete");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("object").as_string(), "user:" + std::to_string(ops.user));
  EXPECT_EQ(records[0].at("before").at("name"), "operations");
  ASSERT_EQ(audit_of("user.rename").size(), 1u);
}

TEST_P(CustomersAndUsers, TokensAreListedWithoutTheirText) {
  const auto msp = make_partner("Fabrikam", "msp");
  auto user = make_user("ops", "account", msp);
  const std::string tokens = "/v1/users/" + std::to_string(user.user) + "/tokens";
  auto second = ok(root_token_, "POST", tokens, {{"days", 30}});
  ok(root_token_, "DELETE", "/v1/tokens/" + std::to_string(user.token_id));
  auto reply = call(root_token_, "GET", tokens);
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body.find(user.token), std::string::npos);
  EXPECT_EQ(reply.body.find(std::string(second.at("token").as_string())), std::string::npos);
  const auto items = reply.json().at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("id"), user.token_id);
  EXPECT_EQ(items[0].at("user"), user.user);
  EXPECT_EQ(items[0].at("created"), kNow);
  EXPECT_EQ(items[0].at("revoked"), kNow);
  EXPECT_TRUE(items[0].at("expires").is_null());
  EXPECT_FALSE(items[0].as_object().contains("token"));
  EXPECT_EQ(items[1].at("expires"), kNow + 30 * kDay);
  EXPECT_TRUE(items[1].at("revoked").is_null());
  // Paged as every list.
  auto first = ok(root_token_, "GET", tokens + "?limit=1");
  EXPECT_EQ(first.at("items").as_array().size(), 1u);
  EXPECT_EQ(first.at("next").as_string(), std::to_string(user.token_id));
  // Outside the caller's reach: 404.
  auto other = make_user("other", "account", make_partner("Tailspin", "reseller"));
  EXPECT_EQ(call(other.token, "GET", tokens).status, 404);
}

// The dry run runs End of Life's own deletion in a transaction it rolls back: its counts are the
// real run's, and nothing is gone after it.
TEST_P(CustomersAndUsers, EndOfLifeDryRunCountsWhatTheRealRunDeletesAndDeletesNothing) {
  const auto first = make_customer_license("acme", 3);
  add_customer_license(as_parent(), first.customer, 1);
  make_customer_license("globex", 2);
  HttpClient client(server_->admin_port());
  ASSERT_EQ(client.post("/v1/seat/activate", {{"code", first.code}, {"host", "h1"}}).status, 200);
  ASSERT_EQ(client.post("/v1/seat/checkout", {{"code", first.code}}).status, 200);
  ASSERT_EQ(client.post("/v1/seat/checkout", {{"code", first.code}}).status, 200);

  auto dry = ok(root_token_, "POST", "/v1/products/cad/end-of-life?dry_run=true");
  EXPECT_EQ(dry.at("dry_run"), true);
  EXPECT_EQ(dry.at("code"), "cad");
  const auto& would = dry.at("would_delete");
  EXPECT_EQ(would.at("licenses"), 3);
  EXPECT_EQ(would.at("leases"), 2);
  EXPECT_EQ(would.at("activations"), 1);
  EXPECT_EQ(would.at("keys_voided"), 0);
  // Nothing changed: the product, its licenses, the leases, the audit log.
  EXPECT_TRUE(ok(root_token_, "GET", "/v1/products/cad").at("end_of_life").is_null());
  EXPECT_EQ(ok(root_token_, "GET", "/v1/licenses").at("items").as_array().size(), 3u);
  EXPECT_EQ(ok(root_token_, "GET", "/v1/leases").at("items").as_array().size(), 2u);
  EXPECT_TRUE(audit_of("product.end_of_life").empty());
  EXPECT_TRUE(audit_of("product.data_deleted").empty());
  EXPECT_EQ(client.post("/v1/seat/checkout", {{"code", first.code}}).status, 200);

  // A dry run takes no date, and only the parent runs it.
  EXPECT_EQ(call(root_token_, "POST", "/v1/products/cad/end-of-life?dry_run=true", {{"at", kNow}})
                .error_code(),
            "bad_request");
  EXPECT_EQ(call(root_token_, "POST", "/v1/products/cad/end-of-life?dry_run=maybe").error_code(),
            "bad_request");

  // The real run deletes what the dry run (then, one lease fewer) counted.
  ok(root_token_, "POST", "/v1/products/cad/end-of-life");
  const auto deleted = audit_of("product.data_deleted");
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted[0].at("after").at("licenses"), 3);
  EXPECT_EQ(deleted[0].at("after").at("leases"), 3);
  EXPECT_EQ(deleted[0].at("after").at("activations"), 1);
  // Past End of Life there is nothing left to preview.
  EXPECT_EQ(call(root_token_, "POST", "/v1/products/cad/end-of-life?dry_run=true").error_code(),
            "end_of_life");
}

}  // namespace
}  // namespace lmp::test
