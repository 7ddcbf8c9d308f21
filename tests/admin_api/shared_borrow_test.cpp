// Borrowing on a PostgreSQL database shared by two in-process instances, when LMP_TEST_POSTGRES
// names a server: both publish the same signing keys (made once, by whichever started first),
// each one's token verifies with the set the other publishes, a rotation through one is the key
// the other signs with at its next borrow, and the borrow limit holds across them.
#include <gtest/gtest.h>

#include "admin_fixture.hpp"
#include "core/base64url.hpp"
#include "domain/borrow_token.hpp"
#include "shared_postgres.hpp"
#include "support/line_client.hpp"

namespace lmp::test {
namespace {

namespace json = boost::json;

class SharedBorrow : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!db_.available()) GTEST_SKIP() << "LMP_TEST_POSTGRES is not set";
    for (auto& instance : instances_) instance = std::make_unique<TestServer>(db_.config());
    const auto made = make_customer_license(db_.admin(*instances_[0]), "acme", 20);
    call("PUT", "/v1/customers/" + std::to_string(made.customer) + "/policy",
         {{"borrow", {{"allowed", true}, {"max_seconds", 86400}, {"max_units", 2}}}});
    code_ = made.code;
  }

  json::value call(const std::string& method, const std::string& target,
                   const json::value& body = nullptr) {
    return db_.admin(*instances_[0])(method, target, body);
  }
  json::value keys(TestServer& on) {
    return admin_call(on.admin_port(), "", "GET", "/v1/keys").json();
  }
  std::string borrow(TestServer& on, const std::string& fields) {
    LineClient seat(on.port());
    return seat.request("CHECKOUT code=" + code_ + " borrow=3600 " + fields);
  }
  static bool verifies(const std::string& token, const json::value& set) {
    for (const auto& jwk : set.at("keys").as_array())
      if (domain::token_kid(token) == std::string(jwk.at("kid").as_string()) &&
          domain::verify_borrow_token(token,
                                      *base64url_decode(std::string(jwk.at("x").as_string()))))
        return true;
    return false;
  }

  TempDir dir_;
  SharedPostgres db_{dir_.path(), "lmp_borrow_"};
  std::unique_ptr<TestServer> instances_[2];
  std::string code_;
};

TEST_F(SharedBorrow, BothInstancesPublishTheSameKeysAndVerifyEachOthersTokens) {
  const auto set0 = keys(*instances_[0]);
  EXPECT_EQ(set0.at("keys").as_array().size(), 1U);
  EXPECT_EQ(set0, keys(*instances_[1]));
  const auto t0 = fields_of(borrow(*instances_[0], "host=a user=ann"))["token"];
  const auto t1 = fields_of(borrow(*instances_[1], "host=b user=bob"))["token"];
  EXPECT_TRUE(verifies(t0, keys(*instances_[1])));
  EXPECT_TRUE(verifies(t1, keys(*instances_[0])));
  // borrow.max_units counts the borrows of both.
  const auto over = borrow(*instances_[0], "host=c user=cyd");
  EXPECT_EQ(status_of(over), "over_limit") << over;

  // Rotated through the first: the second signs with the new key at once, and both publish both.
  const std::string kid(call("POST", "/v1/keys/rotate").at("kid").as_string());
  LineClient seat(instances_[1]->port());
  EXPECT_EQ(keys(*instances_[0]), keys(*instances_[1]));
  EXPECT_EQ(keys(*instances_[1]).at("keys").as_array().size(), 2U);
  // Free a unit of the limit, then borrow on the second instance.
  const auto lease0 = domain::verify_borrow_token(
      t0, *base64url_decode(std::string(set0.at("keys").as_array()[0].at("x").as_string())));
  ASSERT_TRUE(lease0.has_value());
  EXPECT_EQ(seat.request("CHECKIN lease=" + lease0->claims.lease), "OK");
  const auto t2 = fields_of(borrow(*instances_[1], "host=d user=dan"))["token"];
  EXPECT_EQ(domain::token_kid(t2), kid);
  EXPECT_TRUE(verifies(t2, keys(*instances_[0])));
}

}  // namespace
}  // namespace lmp::test
