// The web console's login through the real HTTP listener, on each storage backend: a token
// exchanged for an HttpOnly, SameSite=Strict session cookie stored only as a hash, which then
// acts exactly as its token; every change sent with the cookie needs the session's CSRF token;
// the session ends at logout, at its expiry and with its token; wrong tokens are rate limited.
#include <gtest/gtest.h>

#include <soci/soci.h>
#include <boost/json/serialize.hpp>

#include "admin_fixture.hpp"

namespace lmp::test {
namespace {

namespace json = boost::json;

class ConsoleSessionTest : public AdminApiTest {
 protected:
  struct Session {
    std::string cookie;  // "lmp_session=<id>"
    std::string csrf;
  };

  HttpReply log_in(const std::string& token) {
    return call("", "POST", "/v1/console/session", {{"token", token}});
  }
  Session session_of(const std::string& token) {
    auto reply = log_in(token);
    EXPECT_EQ(reply.status, 200) << reply.body;
    const std::string set_cookie = reply.header("set-cookie");
    return {set_cookie.substr(0, set_cookie.find(';')),
            std::string(reply.json().at("csrf_token").as_string())};
  }
  // One request with the session's cookie (and its CSRF token when `csrf` is not empty).
  HttpReply with_cookie(const Session& session, const std::string& csrf, const std::string& method,
                        const std::string& target, const json::value& body = nullptr) {
    return call_with_cookie(session.cookie, csrf, method, target, body);
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, ConsoleSessionTest, kStorageBackends, backend_name);

TEST_P(ConsoleSessionTest, TheCookieActsAsItsTokenAndIsStoredOnlyAsAHash) {
  const auto reseller = make_partner("resell", "reseller");
  const auto user = make_user("resell-admin", "account", reseller);
  auto reply = log_in(user.token);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const std::string set_cookie = reply.header("set-cookie");
  EXPECT_EQ(set_cookie.rfind("lmp_session=", 0), 0U) << set_cookie;
  for (const char* attribute : {"; Path=/", "; HttpOnly", "; SameSite=Strict", "; Max-Age=43200"})
    EXPECT_NE(set_cookie.find(attribute), std::string::npos) << attribute << " in " << set_cookie;
  EXPECT_EQ(set_cookie.find("Secure"), std::string::npos) << "Secure on a plain listener";
  Session session{set_cookie.substr(0, set_cookie.find(';')),
                  std::string(reply.json().at("csrf_token").as_string())};
  const std::string id = session.cookie.substr(session.cookie.find('=') + 1);
  EXPECT_EQ(id.size(), 40U);

  // The same caller as its token: the reseller, with the reseller's rights.
  auto me = with_cookie(session, "", "GET", "/v1/me");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json().at("user").at("id").as_int64(), user.user);
  EXPECT_EQ(me.json().at("token").as_int64(), user.token_id);
  EXPECT_EQ(with_cookie(session, "", "GET", "/v1/partners").status, 403);
  // The CSRF token can be read again after a reload, and is the one login gave.
  auto again = with_cookie(session, "", "GET", "/v1/console/session");
  EXPECT_EQ(again.json().at("csrf_token").as_string(), session.csrf);

  auto sql = raw_session();
  std::int64_t rows = 0;
  *sql << "SELECT COUNT(*) FROM console_sessions WHERE id_hash = :id OR id_hash = :csrf",
      soci::use(id), soci::use(session.csrf), soci::into(rows);
  EXPECT_EQ(rows, 0) << "the session id or its CSRF token is stored as such";
  *sql << "SELECT COUNT(*) FROM console_sessions WHERE token_id = :token", soci::use(user.token_id),
      soci::into(rows);
  EXPECT_EQ(rows, 1);
}

TEST_P(ConsoleSessionTest, AChangeWithTheCookieNeedsItsCsrfToken) {
  const auto session = session_of(root_token_);
  const json::value body = {{"name", "acme"}};
  auto none = with_cookie(session, "", "POST", "/v1/customers", body);
  EXPECT_EQ(none.status, 403);
  EXPECT_EQ(none.error_code(), "csrf_token_invalid");
  auto wrong = with_cookie(session, std::string(64, '0'), "POST", "/v1/customers", body);
  EXPECT_EQ(wrong.status, 403);
  // Another session's token is no better.
  const auto other = session_of(root_token_);
  EXPECT_EQ(with_cookie(session, other.csrf, "POST", "/v1/customers", body).status, 403);
  // Nothing was made by the refused requests.
  EXPECT_EQ(ok(root_token_, "GET", "/v1/customers").at("items").as_array().size(), 0U);

  auto made = with_cookie(session, session.csrf, "POST", "/v1/customers", body);
  EXPECT_EQ(made.status, 200) << made.body;
  // A bearer token needs none, cookie or not: a browser never sends one by itself.
  EXPECT_EQ(call(root_token_, "POST", "/v1/customers", {{"name", "beta"}}).status, 200);
}

TEST_P(ConsoleSessionTest, TheSessionEndsAtLogoutAtItsExpiryAndWithItsToken) {
  const auto user = make_user("ops", "account", 1);
  auto session = session_of(user.token);
  auto out = with_cookie(session, session.csrf, "DELETE", "/v1/console/session");
  EXPECT_EQ(out.status, 200) << out.body;
  EXPECT_NE(out.header("set-cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(with_cookie(session, "", "GET", "/v1/me").status, 401);

  session = session_of(user.token);
  EXPECT_EQ(with_cookie(session, "", "GET", "/v1/me").status, 200);
  server_->advance_seconds(12 * 3600);
  EXPECT_EQ(with_cookie(session, "", "GET", "/v1/me").status, 401);

  session = session_of(user.token);
  ok(root_token_, "DELETE", "/v1/tokens/" + std::to_string(user.token_id));
  EXPECT_EQ(with_cookie(session, "", "GET", "/v1/me").status, 401);
  EXPECT_EQ(log_in(user.token).status, 401) << "a revoked token opens no session";
  // An id that is no session's, well formed or not.
  EXPECT_EQ(with_cookie({"lmp_session=" + std::string(40, 'a'), ""}, "", "GET", "/v1/me").status,
            401);
  EXPECT_EQ(with_cookie({"lmp_session=x", ""}, "", "GET", "/v1/me").status, 401);
}

// The open redeem route takes the session too: a customer's user redeems into its own customer
// from the console, with the CSRF token like any change; an account's session is refused as its
// token is.
TEST_P(ConsoleSessionTest, ARedeemWithTheCookieIsItsTokensAndNeedsItsCsrfToken) {
  const auto customer = make_customer("acme", 1);
  const auto user = make_user("acme-admin", "customer", customer);
  const auto plan =
      id_of(ok(root_token_, "POST", "/v1/plans",
               {{"name", "cad-year"}, {"product", "cad"}, {"trial", false}, {"period_days", 365}}));
  auto keys =
      ok(root_token_, "POST", "/v1/registration-keys", {{"plan", plan}, {"units", 2}, {"count", 2}})
          .at("keys")
          .as_array();
  const json::value key = keys.at(0).at("key");
  const json::value body = {{"key", key}};

  const auto session = session_of(user.token);
  auto none = with_cookie(session, "", "POST", "/v1/registration-keys/redeem", body);
  EXPECT_EQ(none.status, 403) << none.body;
  EXPECT_EQ(none.error_code(), "csrf_token_invalid");
  auto wrong =
      with_cookie(session, std::string(64, '0'), "POST", "/v1/registration-keys/redeem", body);
  EXPECT_EQ(wrong.status, 403) << wrong.body;
  EXPECT_EQ(ok(root_token_, "GET", "/v1/registration-keys/" + std::to_string(id_of(keys.at(0))))
                .at("status"),
            "issued");

  auto redeemed = with_cookie(session, session.csrf, "POST", "/v1/registration-keys/redeem", body);
  ASSERT_EQ(redeemed.status, 200) << redeemed.body;
  // Into the session's customer: no customer, user or token made.
  EXPECT_EQ(redeemed.json().at("license").at("customer").as_int64(), customer);
  EXPECT_FALSE(redeemed.json().as_object().contains("token")) << redeemed.body;
  EXPECT_FALSE(redeemed.json().at("license").at("code").as_string().empty());
  EXPECT_EQ(ok(root_token_, "GET", "/v1/customers").at("items").as_array().size(), 1U);

  // An account's session is an account's token: accounts do not redeem.
  const auto parent = session_of(root_token_);
  auto refused = with_cookie(parent, parent.csrf, "POST", "/v1/registration-keys/redeem",
                             {{"key", keys.at(1).at("key")}, {"customer", "beta"}});
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(refused.error_code(), "forbidden");
  // An ended session is no anonymous caller either.
  ok(root_token_, "DELETE", "/v1/tokens/" + std::to_string(user.token_id));
  auto ended = with_cookie(session, session.csrf, "POST", "/v1/registration-keys/redeem",
                           {{"key", keys.at(1).at("key")}, {"customer", "gamma"}});
  EXPECT_EQ(ended.status, 401) << ended.body;
  EXPECT_EQ(ok(root_token_, "GET", "/v1/registration-keys/" + std::to_string(id_of(keys.at(1))))
                .at("status"),
            "issued");
}

TEST_P(ConsoleSessionTest, WrongTokensAreRateLimitedAsGuesses) {
  const int burst = config_.limits.invalid_code_burst;
  for (int i = 0; i < burst; ++i) {
    auto reply = log_in("lmp_" + std::string(40, '0'));
    EXPECT_EQ(reply.status, 401);
    EXPECT_EQ(reply.error_code(), "unauthorized");
  }
  // Even the right token waits now: a guesser learns nothing from this address.
  auto limited = log_in(root_token_);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.error_code(), "rate_limited");
  EXPECT_FALSE(limited.header("retry-after").empty());
}

}  // namespace
}  // namespace lmp::test
