// Password login to the web console through the real HTTP listener, on each storage backend: a
// password set by the user or whoever manages it, kept as a scrypt hash only; a login that opens
// the same session as a token's, acting as the user with its account's rights; one answer, in
// about the same time, for a wrong password and an unknown user; guesses charged to the
// address's budget; a canceled account, a removed user or a new password ending the session.
#include <gtest/gtest.h>

#include <soci/soci.h>
#include <algorithm>
#include <boost/json/serialize.hpp>
#include <chrono>

#include "admin_fixture.hpp"
#include "core/base64url.hpp"
#include "core/scrypt.hpp"

namespace lmp::test {
namespace {

namespace json = boost::json;

constexpr const char* kPassword = "correct horse battery staple";

class PasswordLoginTest : public AdminApiTest {
 protected:
  struct Session {
    std::string cookie;  // "lmp_session=<id>"
    std::string csrf;
  };

  HttpReply log_in(const std::string& user, const std::string& password) {
    return call("", "POST", "/v1/console/session", {{"user", user}, {"password", password}});
  }
  Session session_of(const std::string& user, const std::string& password) {
    auto reply = log_in(user, password);
    EXPECT_EQ(reply.status, 200) << reply.body;
    const std::string set_cookie = reply.header("set-cookie");
    if (reply.status != 200) return {};
    return {set_cookie.substr(0, set_cookie.find(';')),
            std::string(reply.json().at("csrf_token").as_string())};
  }
  json::value set_password(const std::string& token, std::int64_t user, const json::value& body) {
    return ok(token, "PUT", "/v1/users/" + std::to_string(user) + "/password", body);
  }
  std::string stored_hash(std::int64_t user) {
    auto sql = raw_session();
    std::string hash;
    *sql << "SELECT password_hash FROM users WHERE id = :id", soci::use(user), soci::into(hash);
    return hash;
  }
  // The fastest of `n` logins: what the server spends, with the machine's noise taken out.
  double fastest_login_ms(const std::string& user, const std::string& password, int n) {
    double best = 1e9;
    for (int i = 0; i < n; ++i) {
      const auto start = std::chrono::steady_clock::now();
      EXPECT_EQ(log_in(user, password).status, 401);
      const std::chrono::duration<double, std::milli> took =
          std::chrono::steady_clock::now() - start;
      best = std::min(best, took.count());
    }
    return best;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, PasswordLoginTest, kStorageBackends, backend_name);

TEST_P(PasswordLoginTest, ALoginActsAsTheUserWithItsAccountsRightsAndKeepsOnlyAHash) {
  const auto reseller = make_partner("resell", "reseller");
  const auto user = make_user("Resell Admin", "account", reseller);
  // The parent manages the reseller's users, as for their tokens.
  auto set =
      set_password(root_token_, user.user, {{"password", kPassword}, {"login", "Resell.Admin"}});
  EXPECT_EQ(set.at("login"), "resell.admin");
  EXPECT_TRUE(set.at("password_set").is_int64());
  EXPECT_EQ(json::serialize(set).find(kPassword), std::string::npos);

  // The login name is found whatever its case.
  auto reply = log_in("RESELL.admin", kPassword);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const std::string set_cookie = reply.header("set-cookie");
  for (const char* attribute : {"; Path=/", "; HttpOnly", "; SameSite=Strict", "; Max-Age=43200"})
    EXPECT_NE(set_cookie.find(attribute), std::string::npos) << attribute << " in " << set_cookie;
  const Session session{set_cookie.substr(0, set_cookie.find(';')),
                        std::string(reply.json().at("csrf_token").as_string())};

  // The user, without a token, with the reseller's rights and no more.
  auto me = call_with_cookie(session.cookie, "", "GET", "/v1/me");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json().at("user").at("id").as_int64(), user.user);
  EXPECT_TRUE(me.json().at("token").is_null());
  EXPECT_EQ(me.json().at("account").at("id").as_int64(), reseller);
  EXPECT_EQ(call_with_cookie(session.cookie, "", "GET", "/v1/partners").status, 403);
  // A change: the CSRF token is needed as with a token's session, and the audit names the user.
  EXPECT_EQ(
      call_with_cookie(session.cookie, "", "POST", "/v1/customers", {{"name", "acme"}}).status,
      403);
  auto made =
      call_with_cookie(session.cookie, session.csrf, "POST", "/v1/customers", {{"name", "acme"}});
  ASSERT_EQ(made.status, 200) << made.body;
  EXPECT_EQ(made.json().at("account").as_int64(), reseller);
  auto created = ok(root_token_, "GET", "/v1/audit?action=customer.create");
  ASSERT_EQ(created.at("items").as_array().size(), 1U);
  EXPECT_EQ(created.at("items").at(0).at("actor").at("user").as_int64(), user.user);
  EXPECT_TRUE(created.at("items").at(0).at("actor").at("token").is_null());
  auto logins = ok(root_token_, "GET", "/v1/audit?action=console.login");
  ASSERT_EQ(logins.at("items").as_array().size(), 1U);
  EXPECT_EQ(logins.at("items").at(0).at("object").as_string(), "user:" + std::to_string(user.user));
  EXPECT_EQ(
      ok(root_token_, "GET", "/v1/audit?action=user.set_password").at("items").as_array().size(),
      1U);

  // Stored: a scrypt hash with its cost and salt, never the password; no audit record holds
  // either.
  const std::string hash = stored_hash(user.user);
  EXPECT_EQ(hash.rfind("$scrypt$ln=15,r=8,p=1$", 0), 0U) << hash;
  EXPECT_EQ(hash.find(kPassword), std::string::npos);
  auto sql = raw_session();
  std::int64_t leaks = 0;
  const std::string pattern = std::string("%") + kPassword + "%";
  const std::string hash_pattern = "%" + hash.substr(hash.rfind('$') + 1) + "%";
  *sql << "SELECT COUNT(*) FROM audit_log WHERE before_json LIKE :p OR after_json LIKE :p"
          " OR before_json LIKE :h OR after_json LIKE :h",
      soci::use(pattern, "p"), soci::use(hash_pattern, "h"), soci::into(leaks);
  EXPECT_EQ(leaks, 0);
  // Two users with one password get two hashes (a salt each).
  const auto other = make_user("other", "account", reseller);
  set_password(root_token_, other.user, {{"password", kPassword}});
  EXPECT_NE(stored_hash(other.user), hash);
  EXPECT_EQ(ok(root_token_, "GET", "/v1/users/" + std::to_string(other.user) + "/tokens")
                .at("items")
                .as_array()
                .size(),
            1U);
}

TEST_P(PasswordLoginTest, WhoMaySetAPasswordAndItsRules) {
  const auto reseller = make_partner("resell", "reseller");
  const auto user = make_user("resell-admin", "account", reseller);
  const auto customer = make_customer("acme", reseller);
  const auto customer_user = make_user("acme-admin", "customer", customer);
  const std::string path = "/v1/users/" + std::to_string(user.user) + "/password";
  // The user itself may; a customer's user may not touch the reseller's users (not_found, as
  // for their tokens).
  EXPECT_EQ(call(user.token, "PUT", path, {{"password", kPassword}}).status, 200);
  EXPECT_EQ(call(customer_user.token, "PUT", path, {{"password", kPassword}}).status, 404);
  // The login defaults to the user's name.
  EXPECT_EQ(ok(root_token_, "GET", "/v1/users?account=" + std::to_string(reseller))
                .at("items")
                .at(0)
                .at("login"),
            "resell-admin");
  for (const json::value& body :
       {json::value{{"password", "short"}}, json::value{{"password", "eleven char"}},
        json::value{{"password", std::string(1025, 'x')}}, json::value{{"password", 12}},
        json::value{{"login", "x"}}, json::value{{"password", kPassword}, {"login", "a b"}},
        json::value{{"password", std::string("tab\there-and-more")}}}) {
    auto refused = call(user.token, "PUT", path, body);
    EXPECT_EQ(refused.status, 400) << json::serialize(body) << ": " << refused.body;
  }
  auto short_one = call(user.token, "PUT", path, {{"password", "eleven char"}});
  EXPECT_NE(short_one.body.find("at least 12 characters"), std::string::npos) << short_one.body;
  // A login is one user's.
  const auto second = make_user("second", "account", reseller);
  auto taken = call(root_token_, "PUT", "/v1/users/" + std::to_string(second.user) + "/password",
                    {{"password", kPassword}, {"login", "RESELL-admin"}});
  EXPECT_EQ(taken.status, 409) << taken.body;
  EXPECT_EQ(taken.error_code(), "name_taken");
}

TEST_P(PasswordLoginTest, AWrongPasswordAndAnUnknownUserGetTheSameAnswerInTheSameTime) {
  const auto user = make_user("ops", "account", 1);
  set_password(root_token_, user.user, {{"password", kPassword}});
  auto wrong = log_in("ops", "not the password at all");
  auto unknown = log_in("nobody", "not the password at all");
  auto malformed = log_in("no such login!", kPassword);
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.body, unknown.body);
  EXPECT_EQ(malformed.body, unknown.body);
  EXPECT_TRUE(wrong.header("set-cookie").empty());
  // A user without a password cannot be logged in to with any.
  const auto no_password = make_user("nopass", "account", 1);
  (void)no_password;
  EXPECT_EQ(log_in("nopass", "").body, unknown.body);
  // The failure is recorded for the known user, the password nowhere.
  auto failed = ok(root_token_, "GET", "/v1/audit?action=console.login_failed");
  ASSERT_EQ(failed.at("items").as_array().size(), 1U);
  EXPECT_EQ(failed.at("items").at(0).at("object").as_string(), "user:" + std::to_string(user.user));
  EXPECT_EQ(json::serialize(failed).find("not the password"), std::string::npos);

  // An unknown user costs a hash too: without one its answer would come ~50x sooner. The
  // guessing budget lets 3 + 3 of these through (burst 10 with the 4 above).
  const double known = fastest_login_ms("ops", "wrong password again", 3);
  const double nobody = fastest_login_ms("nobody-at-all", "wrong password again", 3);
  EXPECT_GT(nobody, known * 0.4) << "unknown " << nobody << " ms, known " << known << " ms";
  EXPECT_GT(known, nobody * 0.4) << "unknown " << nobody << " ms, known " << known << " ms";
}

TEST_P(PasswordLoginTest, WrongPasswordsAreRateLimitedAsGuesses) {
  const auto user = make_user("ops", "account", 1);
  set_password(root_token_, user.user, {{"password", kPassword}});
  const int burst = config_.limits.invalid_code_burst;
  for (int i = 0; i < burst; ++i)
    EXPECT_EQ(log_in("ops", "wrong password " + std::to_string(i)).status, 401);
  // Even the right password waits now, as a token would.
  auto limited = log_in("ops", kPassword);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.error_code(), "rate_limited");
  EXPECT_EQ(call("", "POST", "/v1/console/session", {{"token", root_token_}}).status, 429);
}

TEST_P(PasswordLoginTest, TheSessionEndsWithItsAccountItsUserOrANewPassword) {
  const auto msp = make_partner("Fabrikam", "msp");
  const auto user = make_user("fab", "account", msp);
  set_password(root_token_, user.user, {{"password", kPassword}});
  const std::string status = "/v1/partners/" + std::to_string(msp) + "/status";

  // Suspended: read-only, as its tokens are (the domain's rule); active again: writes again.
  auto session = session_of("fab", kPassword);
  ok(root_token_, "POST", status, {{"status", "suspended"}});
  EXPECT_EQ(call_with_cookie(session.cookie, "", "GET", "/v1/me").json().at("read_only"), true);
  auto refused =
      call_with_cookie(session.cookie, session.csrf, "POST", "/v1/customers", {{"name", "a"}});
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.error_code(), "account_suspended");
  ok(root_token_, "POST", status, {{"status", "active"}});
  EXPECT_EQ(call_with_cookie(session.cookie, session.csrf, "POST", "/v1/customers", {{"name", "a"}})
                .status,
            200);

  // A new password ends the sessions opened with the old one; the user's tokens go on.
  set_password(root_token_, user.user, {{"password", "another long password"}});
  EXPECT_EQ(call_with_cookie(session.cookie, "", "GET", "/v1/me").status, 401);
  EXPECT_EQ(log_in("fab", kPassword).status, 401);
  EXPECT_EQ(call(user.token, "GET", "/v1/me").status, 200);

  // Removed: the session ends.
  session = session_of("fab", "another long password");
  ok(root_token_, "DELETE", "/v1/users/" + std::to_string(user.user));
  EXPECT_EQ(call_with_cookie(session.cookie, "", "GET", "/v1/me").status, 401);

  // Canceled: no access, as a revoked token; and no new login.
  const auto other = make_user("fab2", "account", msp);
  set_password(root_token_, other.user, {{"password", kPassword}});
  session = session_of("fab2", kPassword);
  EXPECT_EQ(call_with_cookie(session.cookie, "", "GET", "/v1/me").status, 200);
  ok(root_token_, "POST", status, {{"status", "canceled"}});
  EXPECT_EQ(call_with_cookie(session.cookie, "", "GET", "/v1/me").status, 401);
  EXPECT_EQ(log_in("fab2", kPassword).status, 401);
}

TEST_P(PasswordLoginTest, ACostBelowTheCurrentOneIsRaisedAtTheNextLogin) {
  const auto user = make_user("ops", "account", 1);
  set_password(root_token_, user.user, {{"password", kPassword}});
  // The hash an older, cheaper setting made: N = 2^10.
  const std::string salt = "0123456789abcdef";
  const std::string cheap = "$scrypt$ln=10,r=8,p=1$" + base64url_encode(salt) + "$" +
                            base64url_encode(scrypt(kPassword, salt, ScryptCost{10, 8, 1}, 32));
  auto sql = raw_session();
  *sql << "UPDATE users SET password_hash = :h WHERE id = :id", soci::use(cheap),
      soci::use(user.user);
  EXPECT_EQ(log_in("ops", "not the password at all").status, 401);
  EXPECT_EQ(stored_hash(user.user), cheap) << "a failed login changes nothing";
  EXPECT_EQ(log_in("ops", kPassword).status, 200);
  const std::string raised = stored_hash(user.user);
  EXPECT_EQ(raised.rfind("$scrypt$ln=15,r=8,p=1$", 0), 0U) << raised;
  EXPECT_EQ(log_in("ops", kPassword).status, 200);
  EXPECT_EQ(stored_hash(user.user), raised) << "a hash at the current cost stays";
}

}  // namespace
}  // namespace lmp::test
