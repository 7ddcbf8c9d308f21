// Selling through the admin API, over the real HTTP listener, on each storage backend: service
// plans, registration keys (issue, void, redeem into a working activation code), partner pools,
// the once-only redeem under concurrency (on PostgreSQL through two instances), and the guessing
// limit.
#include <boost/json/serialize.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "admin_fixture.hpp"
#include "core/registration_key.hpp"
#include "support/line_client.hpp"

namespace lmp::test {
namespace {

namespace json = boost::json;

class SellingTest : public AdminApiTest {
 protected:
  void seed() override {
    // "expiring" reaches End of Sale after one day and End of Life after three.
    config::Product product;
    product.code = "expiring";
    product.name = "Expiring";
    product.family = "software";
    product.unit = sdk::UnitType::seats;
    product.key_prefix = "EX";
    product.position = {config_.source_file, 3, 1};
    product.end_of_sale_unix = kTestEpochMs / 1000 + kDay;
    product.end_of_life_unix = kTestEpochMs / 1000 + 3 * kDay;
    config_.products.push_back(product);
  }

  std::int64_t make_plan(const std::string& token, const std::string& name,
                         const std::string& product = "cad", bool trial = false) {
    return id_of(ok(token, "POST", "/v1/plans",
                    {{"name", name},
                     {"product", product},
                     {"trial", trial},
                     {"period_days", 30},
                     {"auto_renew", true},
                     {"notice_days", 7},
                     {"grace_days", 2}}));
  }
  json::array issue(const std::string& token, std::int64_t plan, std::int64_t units,
                    std::int64_t count = 1) {
    return ok(token, "POST", "/v1/registration-keys",
              {{"plan", plan}, {"units", units}, {"count", count}})
        .at("keys")
        .as_array();
  }
  static std::string text_of(const json::value& key) {
    return std::string(key.at("key").as_string());
  }
  HttpReply redeem(const std::string& key, const std::string& customer,
                   const std::string& token = "") {
    return call(token, "POST", "/v1/registration-keys/redeem",
                {{"key", key}, {"customer", customer}});
  }
  // Without a token, through the admin listener on `port`.
  static HttpReply redeem_at(std::uint16_t port, const std::string& key,
                             const std::string& customer) {
    HttpClient client(port);
    client.send_raw(
        request_text("POST", "/v1/registration-keys/redeem",
                     json::serialize(json::object{{"key", key}, {"customer", customer}}),
                     "application/json", {}));
    auto reply = client.read_reply();
    return reply ? *reply : HttpReply{};
  }

  // Several clients redeem one key at the same moment: exactly one gets the license, the others
  // 409 key_redeemed. With `second_instance` (PostgreSQL; SQLite allows one lmpd per file) half
  // of them go through a second lmpd on the same database, so that the redeems race in the
  // database itself, not only in one instance's queue of admin calls.
  void expect_one_winner(bool second_instance) {
    const std::string key = text_of(issue(root_token_, make_plan(root_token_, "cad-plan"), 1)[0]);
    std::unique_ptr<TestServer> second;
    if (second_instance) second = std::make_unique<TestServer>(config_);
    const std::uint16_t ports[] = {server_->admin_port(),
                                   second ? second->admin_port() : server_->admin_port()};
    constexpr int kClients = 8;
    std::vector<HttpReply> replies(kClients);
    std::vector<std::thread> threads;
    std::atomic<bool> go{false};
    for (int i = 0; i < kClients; ++i)
      threads.emplace_back([&, i] {
        while (!go.load()) std::this_thread::yield();
        replies[static_cast<std::size_t>(i)] =
            redeem_at(ports[i % 2], key, "racer-" + std::to_string(i));
      });
    go = true;
    for (auto& t : threads) t.join();
    int won = 0, refused = 0;
    for (const auto& reply : replies) {
      if (reply.status == 200) ++won;
      if (reply.status == 409 && reply.error_code() == "key_redeemed") ++refused;
    }
    EXPECT_EQ(won, 1);
    EXPECT_EQ(refused, kClients - 1);
    EXPECT_EQ(ok(root_token_, "GET", "/v1/customers").at("items").as_array().size(), 1u);
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, SellingTest, kStorageBackends, backend_name);

// A partner's direct licenses, and the units it adds to them later, come out of its pool too:
// raising a license never gets round the pool.
TEST_P(SellingTest, PartnersLicensesAndRaisedUnitsDrawFromThePool) {
  const auto msp = make_partner("Northwind", "msp");
  const auto token = make_user("northwind-admin", "account", msp).token;
  const auto customer = make_customer("Tradewinds", msp);
  const std::string pool = "/v1/partners/" + std::to_string(msp) + "/pools/cad";
  ok(root_token_, "PUT", pool, {{"units", 3}});
  const json::object body{{"customer", customer}, {"product", "cad"}, {"units", 2}, {"days", 30}};
  const auto license = id_of(ok(token, "POST", "/v1/licenses", body));
  const std::string units = "/v1/licenses/" + std::to_string(license) + "/units";
  EXPECT_EQ(ok(token, "PUT", units, {{"units", 3}}).at("units"), 3);
  auto over = call(token, "PUT", units, json::object{{"units", 4}});
  EXPECT_EQ(over.status, 409) << over.body;
  EXPECT_NE(over.body.find("pool_exhausted"), std::string::npos) << over.body;
  EXPECT_EQ(call(token, "POST", "/v1/licenses", body).status, 409);
  // Lowering is allowed and gives nothing back; the parent draws from no pool.
  EXPECT_EQ(ok(token, "PUT", units, {{"units", 1}}).at("units"), 1);
  auto pools = ok(token, "GET", "/v1/partners/" + std::to_string(msp) + "/pools");
  EXPECT_EQ(pools.at("items").at(0).at("left"), 0);
  EXPECT_EQ(ok(root_token_, "PUT", units, {{"units", 50}}).at("units"), 50);
}

TEST_P(SellingTest, PlansHaveUniqueNamesTheProductsUnitAndAFixedTrialFlag) {
  auto plan =
      ok(root_token_, "POST", "/v1/plans",
         {{"name", "agent-trial"}, {"product", "agent"}, {"trial", true}, {"period_days", 14}});
  EXPECT_EQ(plan.at("unit"), "endpoints");
  EXPECT_EQ(plan.at("trial"), true);
  EXPECT_EQ(plan.at("auto_renew"), false);
  EXPECT_EQ(plan.at("grace_days"), 0);
  const std::string path = "/v1/plans/" + std::to_string(id_of(plan));

  auto again =
      call(root_token_, "POST", "/v1/plans",
           {{"name", "agent-trial"}, {"product", "cad"}, {"trial", false}, {"period_days", 30}});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.error_code(), "name_taken");

  auto changed = ok(root_token_, "PATCH", path, {{"period_days", 21}, {"notice_days", 3}});
  EXPECT_EQ(changed.at("period_days"), 21);
  EXPECT_EQ(changed.at("notice_days"), 3);
  auto flip = call(root_token_, "PUT", path, {{"trial", false}});
  EXPECT_EQ(flip.status, 400);
  EXPECT_EQ(ok(root_token_, "GET", path).at("trial"), true);
  auto updates = ok(root_token_, "GET", "/v1/audit?action=plan.update").at("items").as_array();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].at("before").at("period_days"), 14);
  EXPECT_EQ(updates[0].at("after").at("period_days"), 21);

  EXPECT_EQ(call(root_token_, "POST", "/v1/plans",
                 {{"name", "x"}, {"product", "nope"}, {"trial", false}, {"period_days", 1}})
                .status,
            404);
  EXPECT_EQ(call(root_token_, "POST", "/v1/plans", {{"name", "y"}, {"product", "cad"}}).status,
            400);
  auto listed = ok(root_token_, "GET", "/v1/plans?product=agent");
  ASSERT_EQ(listed.at("items").as_array().size(), 1u);
  EXPECT_EQ(ok(root_token_, "GET", "/v1/plans?product=cad").at("items").as_array().size(), 0u);
}

TEST_P(SellingTest, PartnersSeeTheParentsPlansAndTheirOwnButNotTheirSiblings) {
  const auto msp = make_partner("msp", "msp");
  const auto other = make_partner("other-msp", "msp");
  auto msp_token = make_user("msp-admin", "account", msp).token;
  auto other_token = make_user("other-admin", "account", other).token;
  const auto parent_plan = make_plan(root_token_, "parent-plan");
  const auto msp_plan = make_plan(msp_token, "msp-plan");
  EXPECT_EQ(ok(other_token, "GET", "/v1/plans").at("items").as_array().size(), 1u);
  EXPECT_EQ(call(other_token, "GET", "/v1/plans/" + std::to_string(msp_plan)).status, 404);
  EXPECT_EQ(ok(root_token_, "GET", "/v1/plans").at("items").as_array().size(), 2u);
  // The parent's plan serves the MSP, read-only.
  EXPECT_EQ(
      call(msp_token, "PATCH", "/v1/plans/" + std::to_string(parent_plan), {{"period_days", 5}})
          .status,
      403);
  EXPECT_EQ(ok(root_token_, "PATCH", "/v1/plans/" + std::to_string(msp_plan), {{"period_days", 5}})
                .at("period_days"),
            5);
}

TEST_P(SellingTest, EndOfSaleMakesPlansReadOnlyAndEndOfLifeRemovesThem) {
  const auto plan = make_plan(root_token_, "expiring-plan", "expiring");
  auto early_key = issue(root_token_, plan, 1);
  const std::string path = "/v1/plans/" + std::to_string(plan);
  server_->advance_seconds(kDay + 1);

  auto modify = call(root_token_, "PATCH", path, {{"period_days", 60}});
  EXPECT_EQ(modify.status, 409);
  EXPECT_EQ(modify.error_code(), "end_of_sale");
  EXPECT_EQ(ok(root_token_, "GET", path).at("period_days"), 30);
  auto create =
      call(root_token_, "POST", "/v1/plans",
           {{"name", "late"}, {"product", "expiring"}, {"trial", false}, {"period_days", 30}});
  EXPECT_EQ(create.status, 409);
  EXPECT_EQ(create.error_code(), "end_of_sale");
  auto late_key =
      call(root_token_, "POST", "/v1/registration-keys", {{"plan", plan}, {"units", 1}});
  EXPECT_EQ(late_key.status, 409);
  EXPECT_EQ(late_key.error_code(), "end_of_sale");
  // A key sold before End of Sale is still honoured: the sale happened.
  EXPECT_EQ(redeem(text_of(early_key[0]), "early-buyer").status, 200);
}

TEST_P(SellingTest, EndOfLifeRefusesRedeemAndHidesThePlan) {
  const auto plan = make_plan(root_token_, "expiring-plan", "expiring");
  auto key = issue(root_token_, plan, 2);
  server_->advance_seconds(3 * kDay + 1);
  EXPECT_EQ(call(root_token_, "GET", "/v1/plans/" + std::to_string(plan)).status, 404);
  EXPECT_EQ(ok(root_token_, "GET", "/v1/plans").at("items").as_array().size(), 0u);
  auto refused = redeem(text_of(key[0]), "late-buyer");
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.error_code(), "end_of_life");
}

// Issue #21: after End of Life a key nobody redeemed stayed `issued` and its units stayed drawn
// from the partner's pool. The End-of-Life sweep voids it (by the server, audited) and gives its
// units back; a redeemed key stays redeemed and drawn, and the voided key still answers
// `end_of_life`.
TEST_P(SellingTest, EndOfLifeVoidsTheKeysNobodyRedeemedAndGivesTheirUnitsBack) {
  const auto msp = make_partner("msp", "msp");
  auto msp_token = make_user("msp-admin", "account", msp).token;
  const std::string pools = "/v1/partners/" + std::to_string(msp) + "/pools";
  ok(root_token_, "PUT", pools + "/expiring", {{"units", 10}});
  const auto plan = make_plan(root_token_, "expiring-plan", "expiring");
  auto keys = issue(msp_token, plan, 3, 2);
  auto sold = issue(msp_token, plan, 2)[0];
  ASSERT_EQ(redeem(text_of(sold), "early-buyer").status, 200);
  EXPECT_EQ(ok(msp_token, "GET", pools).at("items").at(0).at("drawn"), 8);

  server_->advance_seconds(3 * kDay + 1);
  // The sweep runs about once a second on the admin worker; wait for its deletion.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  auto deletions = [&] {
    return ok(root_token_, "GET", "/v1/audit?action=product.data_deleted").at("items").as_array();
  };
  while (deletions().empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto deleted = deletions();
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted[0].at("after").at("keys_voided"), 2);

  for (const auto& key : keys) {
    auto read = ok(msp_token, "GET", "/v1/registration-keys/" + std::to_string(id_of(key)));
    EXPECT_EQ(read.at("status"), "voided");
    EXPECT_EQ(read.at("changed"), kTestEpochMs / 1000 + 3 * kDay + 1);
    auto refused = redeem(text_of(key), "late-buyer");
    EXPECT_EQ(refused.error_code(), "end_of_life") << refused.body;
  }
  EXPECT_EQ(
      ok(msp_token, "GET", "/v1/registration-keys/" + std::to_string(id_of(sold))).at("status"),
      "redeemed");
  auto pool = ok(msp_token, "GET", pools).at("items").at(0);
  EXPECT_EQ(pool.at("drawn"), 2);
  EXPECT_EQ(pool.at("left"), 8);
  auto voids = ok(root_token_, "GET", "/v1/audit?action=key.void").at("items").as_array();
  ASSERT_EQ(voids.size(), 2u);
  for (const auto& record : voids) EXPECT_EQ(record.at("actor").at("scope"), "server");
}

TEST_P(SellingTest, AnIssuedKeyIsWellFormedShownOnceAndItsCheckCharacterIsChecked) {
  const auto plan = make_plan(root_token_, "cad-plan");
  auto keys = issue(root_token_, plan, 3, 2);
  ASSERT_EQ(keys.size(), 2u);
  const std::string text = text_of(keys[0]);
  auto normalized = registration_key::normalize(text);
  ASSERT_TRUE(normalized.has_value()) << text;
  EXPECT_EQ(normalized->substr(0, 2), "CA");
  EXPECT_EQ(text.size(), 22u);
  EXPECT_NE(text, text_of(keys[1]));
  EXPECT_EQ(keys[0].at("status"), "issued");
  EXPECT_EQ(keys[0].at("hint").as_string(), "CA-...-" + text.substr(18));

  // Shown once: neither the key's read nor the list nor the audit log carries it.
  const std::string key_path = "/v1/registration-keys/" + std::to_string(id_of(keys[0]));
  auto read = ok(root_token_, "GET", key_path);
  EXPECT_FALSE(read.as_object().contains("key"));
  EXPECT_EQ(json::serialize(ok(root_token_, "GET", "/v1/registration-keys")).find(text),
            std::string::npos);
  EXPECT_EQ(json::serialize(ok(root_token_, "GET", "/v1/audit")).find(text), std::string::npos);
  EXPECT_EQ(json::serialize(ok(root_token_, "GET", "/v1/audit")).find(normalized->substr(2, 8)),
            std::string::npos);

  // One character changed: refused as malformed, before any lookup.
  std::string typo = text;
  typo[5] = typo[5] == '2' ? '3' : '2';
  auto bad = redeem(typo, "typo-buyer");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.error_code(), "invalid_key");
  // Well-formed but never issued: unknown.
  auto unknown = redeem(registration_key::format(registration_key::generate("CA")), "nobody");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.error_code(), "key_unknown");
}

TEST_P(SellingTest, RedeemCreatesTheCustomerAndALicenseWhoseCodeChecksOut) {
  const auto plan = make_plan(root_token_, "cad-plan");
  const std::string key = text_of(issue(root_token_, plan, 4)[0]);
  // Lowercase and without hyphens, as people type.
  std::string typed;
  for (char c : key)
    if (c != '-') typed.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  auto reply = redeem(typed, "Acme");
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto answer = reply.json();
  EXPECT_EQ(answer.at("customer").at("name"), "Acme");
  EXPECT_EQ(answer.at("customer").at("account"), 1);
  const auto& license = answer.at("license");
  EXPECT_EQ(license.at("units"), 4);
  EXPECT_EQ(license.at("product"), "cad");
  EXPECT_EQ(license.at("starts"), kTestEpochMs / 1000);
  EXPECT_EQ(license.at("expires"), kTestEpochMs / 1000 + 30 * kDay);
  EXPECT_EQ(answer.at("key").at("status"), "redeemed");
  EXPECT_EQ(answer.at("key").at("customer"), answer.at("customer").at("id"));

  const std::string code(license.at("code").as_string());
  LineClient client(server_->port());
  auto checkout = client.request("CHECKOUT code=" + code + " host=ws1 user=ann");
  EXPECT_EQ(checkout.substr(0, 3), "OK ") << checkout;

  // The new customer's user reads its own customer with the token of the answer.
  const std::string token(answer.at("token").at("token").as_string());
  EXPECT_EQ(ok(token, "GET", "/v1/customers/" + std::to_string(id_of(answer.at("customer"))))
                .at("licenses"),
            1);
  // The code never reaches the audit log.
  EXPECT_EQ(json::serialize(ok(root_token_, "GET", "/v1/audit")).find(code), std::string::npos);
  auto redeemed = ok(root_token_, "GET", "/v1/audit?action=key.redeem").at("items").as_array();
  EXPECT_EQ(redeemed.size(), 1u);

  // Once only.
  auto second = redeem(key, "Acme-again");
  EXPECT_EQ(second.status, 409);
  EXPECT_EQ(second.error_code(), "key_redeemed");

  // An existing customer's user redeems into its own customer.
  const std::string next_key = text_of(issue(root_token_, plan, 1)[0]);
  auto into_own = redeem(next_key, "ignored", token);
  ASSERT_EQ(into_own.status, 200) << into_own.body;
  EXPECT_EQ(into_own.json().at("customer").at("name"), "Acme");
  EXPECT_FALSE(into_own.json().as_object().contains("token"));

  // A disabled customer gets no new license.
  const auto customer = id_of(answer.at("customer"));
  ok(root_token_, "POST", "/v1/customers/" + std::to_string(customer) + "/status",
     {{"status", "disabled"}});
  auto disabled = redeem(text_of(issue(root_token_, plan, 1)[0]), "ignored", token);
  EXPECT_EQ(disabled.status, 409);
  EXPECT_EQ(disabled.error_code(), "customer_disabled");
}

TEST_P(SellingTest, AVoidedKeyCannotBeRedeemed) {
  const auto plan = make_plan(root_token_, "cad-plan");
  auto key = issue(root_token_, plan, 1)[0];
  const std::string path = "/v1/registration-keys/" + std::to_string(id_of(key)) + "/void";
  EXPECT_EQ(ok(root_token_, "POST", path).at("status"), "voided");
  auto again = call(root_token_, "POST", path);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.error_code(), "key_voided");
  auto refused = redeem(text_of(key), "buyer");
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.error_code(), "key_voided");
}

TEST_P(SellingTest, ConcurrentRedeemsOfOneKeyHaveExactlyOneWinner) {
  expect_one_winner(on_postgresql());
}

TEST_P(SellingTest, GuessingKeysIsRateLimitedPerAddress) {
  const int burst = config_.limits.invalid_code_burst;
  for (int i = 0; i < burst; ++i) {
    auto reply = redeem(registration_key::format(registration_key::generate("CA")), "guess");
    EXPECT_EQ(reply.status, 404);
  }
  auto limited = redeem(registration_key::format(registration_key::generate("CA")), "guess");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.error_code(), "rate_limited");
  EXPECT_FALSE(limited.header("retry-after").empty());
  EXPECT_GT(limited.json().at("error").at("retry_after").as_int64(), 0);
  // The budget is the seat path's: activation codes from this address are refused too.
  LineClient client(server_->port());
  EXPECT_EQ(status_of(client.request("CHECKOUT code=00000-00000-00000-00000")), "rate_limited");
}

TEST_P(SellingTest, PartnerPoolsBoundIssuingAndVoidingGivesUnitsBack) {
  const auto msp = make_partner("msp", "msp");
  auto msp_token = make_user("msp-admin", "account", msp).token;
  const auto plan = make_plan(root_token_, "cad-plan");
  auto none = call(msp_token, "POST", "/v1/registration-keys", {{"plan", plan}, {"units", 1}});
  EXPECT_EQ(none.status, 409);
  EXPECT_EQ(none.error_code(), "pool_exhausted");

  const std::string pool = "/v1/partners/" + std::to_string(msp) + "/pools/cad";
  auto assigned = ok(root_token_, "PUT", pool, {{"units", 10}});
  EXPECT_EQ(assigned.at("left"), 10);
  auto first = issue(msp_token, plan, 3, 2);  // 6 of 10
  // A batch that would cross the pool issues nothing.
  auto batch = call(msp_token, "POST", "/v1/registration-keys",
                    {{"plan", plan}, {"units", 3}, {"count", 2}});
  EXPECT_EQ(batch.status, 409);
  EXPECT_EQ(batch.error_code(), "pool_exhausted");
  EXPECT_EQ(ok(msp_token, "GET", "/v1/registration-keys").at("items").as_array().size(), 2u);
  auto pools = ok(msp_token, "GET", "/v1/partners/" + std::to_string(msp) + "/pools");
  EXPECT_EQ(pools.at("items").at(0).at("drawn"), 6);
  EXPECT_EQ(pools.at("items").at(0).at("left"), 4);

  ok(msp_token, "POST", "/v1/registration-keys/" + std::to_string(id_of(first[0])) + "/void");
  issue(msp_token, plan, 3, 2);  // fits again: 3 back, 4 + 3 = 7 left
  pools = ok(root_token_, "GET", "/v1/partners/" + std::to_string(msp) + "/pools");
  EXPECT_EQ(pools.at("items").at(0).at("drawn"), 9);
  auto shrink = call(root_token_, "PUT", pool, {{"units", 5}});
  EXPECT_EQ(shrink.status, 409);
  EXPECT_EQ(shrink.error_code(), "pool_below_drawn");
  auto assigns = ok(root_token_, "GET", "/v1/audit?action=pool.assign").at("items").as_array();
  ASSERT_EQ(assigns.size(), 1u);
  EXPECT_EQ(assigns[0].at("after").at("assigned"), 10);
  EXPECT_EQ(ok(root_token_, "GET", "/v1/audit?action=key.void").at("items").as_array().size(), 1u);
  // The parent has no pool limit.
  EXPECT_EQ(issue(root_token_, plan, 1000, 3).size(), 3u);
}

// The issue's user story: the MSP sells a key, a new customer redeems it and checks a seat out;
// the reseller sees neither the MSP's customer nor its key.
TEST_P(SellingTest, AnMspsKeyBecomesACustomersWorkingLicense) {
  const auto msp = make_partner("msp", "msp");
  const auto reseller = make_partner("reseller", "reseller");
  auto msp_token = make_user("msp-admin", "account", msp).token;
  auto reseller_token = make_user("reseller-admin", "account", reseller).token;
  ok(root_token_, "PUT", "/v1/partners/" + std::to_string(msp) + "/pools/cad", {{"units", 5}});
  const auto plan = make_plan(msp_token, "msp-cad-monthly");
  auto key = issue(msp_token, plan, 5)[0];

  auto reply = redeem(text_of(key), "Contoso");
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto answer = reply.json();
  EXPECT_EQ(answer.at("customer").at("account"), msp);
  LineClient client(server_->port());
  auto checkout = client.request(
      "CHECKOUT code=" + std::string(answer.at("license").at("code").as_string()) + " host=h1");
  EXPECT_EQ(checkout.substr(0, 3), "OK ") << checkout;

  const auto customer = id_of(answer.at("customer"));
  EXPECT_EQ(ok(msp_token, "GET", "/v1/customers/" + std::to_string(customer)).at("licenses"), 1);
  EXPECT_EQ(call(reseller_token, "GET", "/v1/customers/" + std::to_string(customer)).status, 404);
  EXPECT_EQ(
      call(reseller_token, "GET", "/v1/registration-keys/" + std::to_string(id_of(key))).status,
      404);
  EXPECT_EQ(ok(reseller_token, "GET", "/v1/registration-keys").at("items").as_array().size(), 0u);
  EXPECT_EQ(ok(reseller_token, "GET", "/v1/customers").at("items").as_array().size(), 0u);
}

}  // namespace
}  // namespace lmp::test
