// Secrets at rest (issue #25.8), on each storage backend: after activation codes, registration
// keys, holder keys and lease ids went through the real listeners, a dump of every table of the
// database holds none of them, neither in clear nor as an unkeyed SHA-256; and all of them still
// work after a restart.
#include <soci/soci.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "admin_fixture.hpp"
#include "core/activation_code.hpp"
#include "core/registration_key.hpp"
#include "core/sha256.hpp"
#include "support/line_client.hpp"

namespace lmp::test {
namespace {
namespace json = boost::json;

constexpr std::string_view kHolderKey = "3f9c0d5e7a1b2c4d6e8f0a1b2c3d4e5f";

class SecretsAtRestTest : public AdminApiTest {
 protected:
  void seed() override { config_.products[0].key_prefix = "CA"; }

  // Every value of every column of every table, as text, one per line.
  std::string dump() const {
    auto sql = raw_session();
    std::vector<std::pair<std::string, std::string>> columns;  // table, column
    std::string table;
    std::string column;
    const std::string query = on_postgresql()
                                  ? "SELECT table_name, column_name FROM information_schema.columns"
                                    " WHERE table_schema = current_schema()"
                                  : "SELECT m.name, p.name FROM sqlite_master m"
                                    " JOIN pragma_table_info(m.name) p WHERE m.type = 'table'";
    soci::statement list = (sql->prepare << query, soci::into(table), soci::into(column));
    list.execute();
    while (list.fetch()) columns.emplace_back(table, column);
    std::string all;
    for (const auto& [t, c] : columns) {
      std::string value;
      soci::indicator ind = soci::i_ok;
      soci::statement rows =
          (sql->prepare << "SELECT CAST(\"" + c + "\" AS TEXT) FROM \"" + t + "\"",
           soci::into(value, ind));
      rows.execute();
      while (rows.fetch())
        if (ind == soci::i_ok) all += value + "\n";
    }
    return all;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, SecretsAtRestTest, kStorageBackends, backend_name);

TEST_P(SecretsAtRestTest, ADumpHoldsNoCodeKeyHolderKeyOrLeaseIdAndAllOfThemStillWork) {
  const std::int64_t customer = make_customer("acme", 0);
  const std::string code(
      ok(root_token_, "POST", "/v1/licenses",
         {{"customer", customer}, {"product", "cad"}, {"units", 5}, {"days", 30}})
          .at("code")
          .as_string());
  const std::int64_t plan =
      id_of(ok(root_token_, "POST", "/v1/plans",
               {{"name", "monthly"}, {"product", "cad"}, {"trial", false}, {"period_days", 30}}));
  const auto keys =
      ok(root_token_, "POST", "/v1/registration-keys", {{"plan", plan}, {"units", 2}, {"count", 2}})
          .at("keys");
  const std::string redeemed(keys.at(0).at("key").as_string());
  const std::string kept(keys.at(1).at("key").as_string());
  const auto redemption =
      ok("", "POST", "/v1/registration-keys/redeem", {{"key", redeemed}, {"customer", "b"}});
  const std::string redeemed_code(redemption.at("license").at("code").as_string());

  LineClient c(server_->port());
  const std::string holder_key(kHolderKey);
  const std::string keyed_lease = fields_of(
      c.request("CHECKOUT code=" + code + " user=ann host=ws1 holder_key=" + holder_key))["lease"];
  const std::string anonymous = fields_of(c.request("CHECKOUT code=" + redeemed_code))["lease"];
  ASSERT_EQ(keyed_lease.size(), 32u);
  ASSERT_EQ(anonymous.size(), 32u);

  const std::string stored = dump();
  ASSERT_NE(stored.find("acme"), std::string::npos);  // the dump does read the tables
  std::vector<std::string> secrets = {keyed_lease, anonymous, holder_key, sha256_hex(holder_key)};
  for (const std::string& shown : {code, redeemed_code}) {
    const std::string digits = *activation_code::normalize(shown);
    for (const std::string& form : {shown, digits, sha256_hex(digits)}) secrets.push_back(form);
  }
  for (const std::string& shown : {redeemed, kept}) {
    const std::string text = *registration_key::normalize(shown);
    for (const std::string& form : {shown, text, sha256_hex(text)}) secrets.push_back(form);
  }
  for (const std::string& secret : secrets)
    EXPECT_EQ(stored.find(secret), std::string::npos) << secret << " is in the database";

  // All of it still works after a restart, from the keyed forms alone.
  server_.reset();
  server_ = std::make_unique<TestServer>(config_);
  LineClient again(server_->port());
  EXPECT_EQ(status_of(again.request("HEARTBEAT lease=" + keyed_lease)), "OK");
  EXPECT_EQ(fields_of(again.request("CHECKOUT code=" + code +
                                    " user=ann host=ws1 holder_key=" + holder_key))["lease"],
            keyed_lease);
  EXPECT_EQ(status_of(again.request("CHECKOUT code=" + code + " user=ann host=ws1")), "no_seats");
  EXPECT_EQ(fields_of(again.request("STATUS code=" + redeemed_code))["used"], "1");
  EXPECT_EQ(again.request("CHECKIN lease=" + anonymous), "OK");
  EXPECT_EQ(
      call("", "POST", "/v1/registration-keys/redeem", {{"key", kept}, {"customer", "c"}}).status,
      200);
  EXPECT_EQ(call("", "POST", "/v1/registration-keys/redeem", {{"key", redeemed}, {"customer", "d"}})
                .status,
            409);
}

}  // namespace
}  // namespace lmp::test
