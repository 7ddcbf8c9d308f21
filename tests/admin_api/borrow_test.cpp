// Borrowing through the real listeners, on each storage backend (docs/protocol.md, "Borrowing"):
// CHECKOUT with borrow= over the seat protocol and POST /v1/seat/checkout with "borrow", the
// token verified against the JWK Set of GET /v1/keys (by the server's own verifier, and by
// Python's `cryptography`, an independent implementation), the site policy's borrow rule, expiry
// and early checkin returning the units, an administrator's release, usage records, and the
// rotation of the signing key.
#include <soci/soci.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "admin/admin_cli.hpp"
#include "admin_fixture.hpp"
#include "core/base64url.hpp"
#include "domain/borrow_token.hpp"
#include "support/daemon_process.hpp"
#include "support/http_client.hpp"
#include "support/line_client.hpp"

namespace lmp::test {
namespace {

namespace json = boost::json;

class BorrowTest : public AdminApiTest {
 protected:
  void SetUp() override {
    AdminApiTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    const auto made = make_customer_license("Acme", 4);
    customer_ = made.customer;
    license_ = made.license;
    code_ = made.code;
  }

  void allow(std::int64_t max_seconds, std::int64_t max_units) {
    ok(root_token_, "PUT", "/v1/customers/" + std::to_string(customer_) + "/policy",
       {{"borrow", {{"allowed", true}, {"max_seconds", max_seconds}, {"max_units", max_units}}}});
  }
  std::string checkout(LineClient& seat, const std::string& fields) {
    return seat.request("CHECKOUT code=" + code_ + " " + fields);
  }
  std::string used() {
    LineClient seat(server_->port());
    return fields_of(seat.request("STATUS code=" + code_))["used"];
  }
  // GET /v1/keys without credentials.
  json::value jwk_set() {
    auto reply = call("", "GET", "/v1/keys");
    EXPECT_EQ(reply.status, 200) << reply.body;
    return reply.json();
  }
  // The token verified with the key of its kid in the published set; nullopt when none verifies.
  std::optional<domain::VerifiedToken> verify(const std::string& token, const json::value& set) {
    const auto kid = domain::token_kid(token);
    for (const auto& jwk : set.at("keys").as_array())
      if (kid && jwk.at("kid").as_string() == *kid)
        return domain::verify_borrow_token(token,
                                           *base64url_decode(std::string(jwk.at("x").as_string())));
    return std::nullopt;
  }
  std::vector<std::string> kids(const json::value& set) {
    std::vector<std::string> out;
    for (const auto& jwk : set.at("keys").as_array()) out.emplace_back(jwk.at("kid").as_string());
    return out;
  }
  std::int64_t count(const std::string& query) {
    auto sql = raw_session();
    std::int64_t n = 0;
    *sql << query, soci::into(n);
    return n;
  }
  // Waits for the reclaim sweep (on the engine's own schedule) to take `used()` to `units`.
  std::string used_once(const std::string& units) {
    std::string now = used();
    for (int i = 0; i < 300 && now != units; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      now = used();
    }
    return now;
  }
  std::int64_t now_s() { return server_->clock().now_unix_ms() / 1000; }

  std::int64_t customer_ = 0;
  std::int64_t license_ = 0;
  std::string code_;
};

INSTANTIATE_TEST_SUITE_P(Backends, BorrowTest, kStorageBackends, backend_name);

TEST_P(BorrowTest, OverTheSeatProtocolAndHttpWithATokenThePublishedKeysVerify) {
  allow(7 * 86400, 3);
  LineClient seat(server_->port());
  const std::string line = checkout(seat, "host=laptop1 user=ann units=2 borrow=86400");
  ASSERT_EQ(status_of(line), "OK") << line;
  auto f = fields_of(line);
  EXPECT_EQ(f["units"], "2");
  EXPECT_EQ(f["expires"], std::to_string(now_s() + 86400));
  EXPECT_EQ(f["borrowed"], "1");
  EXPECT_EQ(f.count("heartbeat"), 0U);
  // The fields in the protocol's order, the token last.
  EXPECT_EQ(line.find("OK lease=" + f["lease"] + " units=2 expires=" + f["expires"] +
                      " borrowed=1 token="),
            0U)
      << line;

  const auto set = jwk_set();
  ASSERT_EQ(set.at("keys").as_array().size(), 1U) << json::serialize(set);
  const auto& jwk = set.at("keys").as_array()[0].as_object();
  EXPECT_EQ(jwk.at("kty"), "OKP");
  EXPECT_EQ(jwk.at("crv"), "Ed25519");
  EXPECT_EQ(jwk.at("use"), "sig");
  EXPECT_EQ(jwk.at("alg"), "EdDSA");
  EXPECT_EQ(base64url_decode(std::string(jwk.at("x").as_string()))->size(), 32U);
  EXPECT_EQ(jwk.size(), 6U);

  auto verified = verify(f["token"], set);
  ASSERT_TRUE(verified.has_value()) << f["token"];
  EXPECT_EQ(verified->claims.lease, f["lease"]);
  EXPECT_EQ(verified->claims.license, license_);
  EXPECT_EQ(verified->claims.product, "cad");
  EXPECT_EQ(verified->claims.units, 2);
  EXPECT_EQ(verified->claims.host, "laptop1");
  EXPECT_EQ(verified->claims.user, "ann");
  EXPECT_EQ(verified->claims.iat, now_s());
  EXPECT_EQ(verified->claims.exp, now_s() + 86400);

  HttpClient http(server_->admin_port());
  auto reply = http.post("/v1/seat/checkout",
                         {{"code", code_}, {"host", "laptop2"}, {"user", "bob"}, {"borrow", 3600}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto body = reply.json();
  EXPECT_EQ(body.at("borrowed"), true);
  EXPECT_EQ(body.at("units"), 1);
  EXPECT_EQ(body.at("expires"), now_s() + 3600);
  auto by_http = verify(std::string(body.at("token").as_string()), set);
  ASSERT_TRUE(by_http.has_value());
  EXPECT_EQ(by_http->claims.user, "bob");
  EXPECT_EQ(by_http->claims.lease, body.at("lease").as_string());

  // The lease list shows them, borrowed, with their expiry; the usage records say `borrow`.
  auto listed = ok(root_token_, "GET", "/v1/leases?borrowed=true").at("items").as_array();
  ASSERT_EQ(listed.size(), 2U);
  for (const auto& lease : listed) EXPECT_EQ(lease.at("borrowed"), true);
  EXPECT_EQ(ok(root_token_, "GET", "/v1/leases?borrowed=false").at("items").as_array().size(), 0U);
  EXPECT_EQ(count("SELECT COUNT(*) FROM usage_records WHERE event = 'borrow'"), 2);
  EXPECT_EQ(used(), "3");

  // Hours later, with no heartbeat, the units are still held; a heartbeat extends nothing.
  server_->advance_seconds(7200);
  EXPECT_EQ(used(), "2");  // bob's hour is over
  EXPECT_EQ(seat.request("HEARTBEAT lease=" + f["lease"]), "OK expires=" + f["expires"]);
}

// The JWK Set is at GET /v1/keys and /.well-known/jwks.json; the registration keys' list moved
// to /v1/registration-keys, and GET /v1/keys with a token answers it, deprecated, for a release.
TEST_P(BorrowTest, TheKeySetAndTheRegistrationKeysHaveTheirOwnPaths) {
  const auto set = jwk_set();
  ASSERT_FALSE(set.at("keys").as_array().empty());
  auto well_known = call("", "GET", "/.well-known/jwks.json");
  EXPECT_EQ(well_known.status, 200) << well_known.body;
  EXPECT_EQ(well_known.json(), set);
  // A token sent to the well-known path changes nothing: it is the key set for everyone.
  EXPECT_EQ(ok(root_token_, "GET", "/.well-known/jwks.json"), set);

  const auto plan =
      id_of(ok(root_token_, "POST", "/v1/plans",
               {{"name", "Borrowers"}, {"product", "cad"}, {"trial", false}, {"period_days", 30}}));
  const auto issued =
      ok(root_token_, "POST", "/v1/registration-keys", {{"plan", plan}, {"units", 1}});
  const auto key_id = id_of(issued.at("keys").at(0));
  const auto listed = ok(root_token_, "GET", "/v1/registration-keys");
  ASSERT_EQ(listed.at("items").as_array().size(), 1U);
  EXPECT_EQ(id_of(listed.at("items").at(0)), key_id);
  EXPECT_EQ(id_of(ok(root_token_, "GET", "/v1/registration-keys/" + std::to_string(key_id))),
            key_id);

  // The old list: the same answer, marked deprecated with its successor.
  auto old_list = call(root_token_, "GET", "/v1/keys");
  ASSERT_EQ(old_list.status, 200) << old_list.body;
  EXPECT_EQ(old_list.json(), listed);
  EXPECT_EQ(old_list.header("deprecation"), "@1796601600");
  EXPECT_EQ(old_list.header("link"), "</v1/registration-keys>; rel=\"successor-version\"");
  // A bad token there is refused like on any admin route, not answered with the key set.
  EXPECT_EQ(call("lmp_not_a_token", "GET", "/v1/keys").status, 401);
  // The old paths of the other registration-key routes still answer.
  EXPECT_EQ(id_of(ok(root_token_, "GET", "/v1/keys/" + std::to_string(key_id))), key_id);
  EXPECT_EQ(jwk_set().at("keys"), set.at("keys"));
  EXPECT_TRUE(call("", "GET", "/v1/keys").header("deprecation").empty());
}

TEST_P(BorrowTest, RefusalsCarryTheCodesOfProtocol11) {
  LineClient seat(server_->port());
  // No policy allows it.
  auto refused = checkout(seat, "host=l user=ann borrow=600");
  EXPECT_EQ(status_of(refused), "not_allowed") << refused;
  ok(root_token_, "PUT", "/v1/customers/" + std::to_string(customer_) + "/policy",
     {{"borrow", {{"allowed", false}}}});
  EXPECT_EQ(status_of(checkout(seat, "host=l user=ann borrow=600")), "not_allowed");
  allow(3600, 2);
  EXPECT_EQ(status_of(checkout(seat, "user=ann borrow=600")), "bad_request");
  EXPECT_EQ(status_of(checkout(seat, "host=l borrow=600")), "bad_request");
  EXPECT_EQ(status_of(checkout(seat, "host=l user=ann borrow=0")), "bad_request");
  EXPECT_EQ(status_of(checkout(seat, "host=l user=ann borrow=600 wait=5")), "bad_request");
  auto too_long = checkout(seat, "host=l user=ann borrow=3601");
  EXPECT_EQ(status_of(too_long), "bad_request");
  EXPECT_NE(too_long.find("at%20most%203600%20seconds"), std::string::npos) << too_long;
  ASSERT_EQ(status_of(checkout(seat, "host=l user=ann units=2 borrow=3600")), "OK");
  auto over = checkout(seat, "host=m user=bob borrow=60");
  EXPECT_EQ(status_of(over), "over_limit");
  EXPECT_EQ(fields_of(over)["limit"], "2");
  // An ordinary checkout of the units left is not a borrow.
  EXPECT_EQ(status_of(checkout(seat, "host=m user=bob units=2")), "OK");

  HttpClient http(server_->admin_port());
  auto by_http = http.post("/v1/seat/checkout", {{"code", code_}, {"host", "m"}, {"borrow", 60}});
  EXPECT_EQ(by_http.status, 400) << by_http.body;
  EXPECT_EQ(by_http.error_code(), "bad_request");
  EXPECT_EQ(count("SELECT COUNT(*) FROM leases WHERE borrowed = 1"), 1);
}

TEST_P(BorrowTest, AnExcludedUserIsNotAllowedEvenWhenTheBorrowUnitsAreUsedUp) {
  LineClient seat(server_->port());
  ok(root_token_, "PUT", "/v1/customers/" + std::to_string(customer_) + "/policy",
     {{"exclude", json::array{"user:eve"}},
      {"borrow", {{"allowed", true}, {"max_seconds", 3600}, {"max_units", 1}}}});
  ASSERT_EQ(status_of(checkout(seat, "host=l user=ann borrow=600")), "OK");
  // Whoever the policy keeps out is told so, not that a limit she could wait for is reached.
  auto excluded = checkout(seat, "host=m user=eve borrow=600");
  EXPECT_EQ(status_of(excluded), "not_allowed") << excluded;
  EXPECT_EQ(status_of(checkout(seat, "host=m user=bob borrow=600")), "over_limit");
}

TEST_P(BorrowTest, ExpiryAndAnEarlyCheckinReturnTheUnitsAndAReleaseIsRecorded) {
  allow(0, 0);
  LineClient seat(server_->port());
  auto a = fields_of(checkout(seat, "host=l1 user=ann units=2 borrow=3600"));
  auto b = fields_of(checkout(seat, "host=l2 user=bob units=1 borrow=3600"));
  auto c = fields_of(checkout(seat, "host=l3 user=cyd units=1 borrow=3600"));
  ASSERT_EQ(a["borrowed"], "1");
  EXPECT_EQ(status_of(checkout(seat, "host=pc user=dan")), "no_seats");
  // Early checkin.
  EXPECT_EQ(seat.request("CHECKIN lease=" + b["lease"]), "OK");
  EXPECT_EQ(used(), "3");
  // An administrator's release: its units return, and it is audited and recorded; the client
  // hears it at its next heartbeat (its token stays valid offline until it expires).
  const auto items =
      ok(root_token_, "GET", "/v1/leases?borrowed=true&user=cyd").at("items").as_array();
  ASSERT_EQ(items.size(), 1U);
  const std::string ref(items[0].at("id").as_string());
  ok(root_token_, "DELETE", "/v1/leases/" + ref + "?reason=laptop+stolen");
  EXPECT_EQ(used(), "2");
  EXPECT_EQ(status_of(seat.request("HEARTBEAT lease=" + c["lease"])), "lease_revoked");
  // Past its expiry the sweep reclaims the last one.
  server_->advance_seconds(3600);
  EXPECT_EQ(used_once("0"), "0");
  EXPECT_EQ(count("SELECT COUNT(*) FROM leases"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM usage_records WHERE event = 'borrow'"), 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM usage_records WHERE event = 'checkin'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM usage_records WHERE event = 'release'"), 1);
  for (int i = 0;
       i < 300 && count("SELECT COUNT(*) FROM usage_records WHERE event = 'reclaim'") < 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(count("SELECT COUNT(*) FROM usage_records WHERE event = 'reclaim' AND units = 2"), 1);
}

TEST_P(BorrowTest, RotationSignsWithTheNewKeyAndPublishesTheOldOneWhileItsTokensLive) {
  allow(0, 0);
  LineClient seat(server_->port());
  const auto first = jwk_set();
  ASSERT_EQ(kids(first).size(), 1U);
  auto old_token = fields_of(checkout(seat, "host=l1 user=ann borrow=3600"))["token"];
  EXPECT_EQ(domain::token_kid(old_token), kids(first)[0]);

  // Only the parent may rotate.
  const auto own = make_user("acme-admin", "customer", customer_);
  EXPECT_EQ(call(own.token, "POST", "/v1/keys/rotate").status, 403);
  const auto rotated = ok(root_token_, "POST", "/v1/keys/rotate");
  const std::string new_kid(rotated.at("kid").as_string());
  EXPECT_NE(new_kid, kids(first)[0]);
  EXPECT_EQ(
      ok(root_token_, "GET", "/v1/audit?action=signing_key.rotate").at("items").as_array().size(),
      1U);

  auto both = jwk_set();
  auto both_kids = kids(both);
  std::sort(both_kids.begin(), both_kids.end());
  auto expected = std::vector<std::string>{kids(first)[0], new_kid};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(both_kids, expected);
  auto new_token = fields_of(checkout(seat, "host=l2 user=bob borrow=60"))["token"];
  EXPECT_EQ(domain::token_kid(new_token), new_kid);
  EXPECT_TRUE(verify(old_token, both).has_value());
  EXPECT_TRUE(verify(new_token, both).has_value());

  // `lmpd admin rotate-signing-key` too; a key that signed nothing goes at once, one whose
  // token still lives stays.
  const auto config_file = dir_.path() / "cli.yaml";
  write_cli_config(config_file, config_.storage);
  std::ostringstream out, err;
  ManualClock clock(server_->clock().now_unix_ms());
  ASSERT_EQ(admin::run_admin({"--config", config_file.string(), "rotate-signing-key"}, "", clock,
                             out, err),
            0)
      << err.str();
  // "signing key KID signs from now on; ..."
  const std::string cli_kid = out.str().substr(12, 16);
  auto three = kids(jwk_set());
  ASSERT_EQ(three.size(), 3U);
  EXPECT_NE(std::find(three.begin(), three.end(), cli_kid), three.end()) << out.str();

  // Past the old token's expiry its key is no longer published; the new one's passed already.
  server_->advance_seconds(3600);
  EXPECT_EQ(kids(jwk_set()), (std::vector<std::string>{cli_kid}));
}

// The token and the JWK Set, handed to Debian's python3-cryptography: an independent Ed25519
// implementation checks the signature over the JWS signing input with the JWK's key.
TEST_P(BorrowTest, ATokenVerifiesWithAnIndependentJoseImplementation) {
  allow(0, 0);
  LineClient seat(server_->port());
  const auto token = fields_of(checkout(seat, "host=laptop1 user=ann borrow=600"))["token"];
  const auto set = json::serialize(jwk_set());
  const auto script = dir_.path() / "verify.py";
  std::ofstream(script) << R"(import base64, json, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.exceptions import InvalidSignature

def b64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

token, jwks = sys.argv[1], json.loads(sys.argv[2])
header, payload, signature = token.split(".")
head = json.loads(b64(header))
assert head["alg"] == "EdDSA" and head["typ"] == "JWT", head
jwk = next(k for k in jwks["keys"] if k["kid"] == head["kid"])
assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519", jwk
key = Ed25519PublicKey.from_public_bytes(b64(jwk["x"]))
try:
    key.verify(b64(signature), (header + "." + payload).encode())
except InvalidSignature:
    print("invalid signature")
    sys.exit(1)
claims = json.loads(b64(payload))
print("verified", claims["lease"], claims["user"], claims["host"], claims["exp"])
)";
  auto good = run_command({"/usr/bin/python3", script.string(), token, set});
  ASSERT_EQ(good.exit_code, 0) << good.out << good.err
                               << "(scripts/install-deps.sh installs python3-cryptography)";
  EXPECT_EQ(good.out.rfind("verified ", 0), 0U) << good.out;
  EXPECT_NE(good.out.find(" ann laptop1 " + std::to_string(now_s() + 600)), std::string::npos)
      << good.out;
  // One payload character changed: the same implementation refuses it.
  std::string tampered = token;
  const auto dot = tampered.find('.');
  tampered[dot + 5] = tampered[dot + 5] == 'A' ? 'B' : 'A';
  auto bad = run_command({"/usr/bin/python3", script.string(), tampered, set});
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  EXPECT_EQ(bad.out, "invalid signature\n");
}

}  // namespace
}  // namespace lmp::test
