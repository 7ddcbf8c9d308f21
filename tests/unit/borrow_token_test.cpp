// A borrowed lease's token (JWS compact, EdDSA) with exactly the header and payload names of the
// contract the client library verifies, refused when altered or under another key; and the site
// policy's borrow rule.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "core/base64url.hpp"
#include "domain/borrow_rule.hpp"
#include "domain/borrow_token.hpp"

namespace lmp::domain {
namespace {

namespace json = boost::json;

BorrowClaims claims() {
  return {
      "0123456789abcdef0123456789abcdef", 12, "cad", 2, "laptop1", "ann", 1767225600, 1767830400};
}

std::vector<std::string> parts(const std::string& token) {
  std::vector<std::string> out(1);
  for (char c : token) {
    if (c == '.')
      out.emplace_back();
    else
      out.back().push_back(c);
  }
  return out;
}

TEST(BorrowToken, IsACompactJwsWithTheContractsHeaderAndPayload) {
  const auto key = Ed25519Key::generate();
  const std::string token = borrow_token(claims(), "a1b2c3d4e5f60718", key);
  const auto p = parts(token);
  ASSERT_EQ(p.size(), 3U);
  for (const auto& part : p) EXPECT_EQ(part.find_first_of("+/="), std::string::npos) << part;
  EXPECT_EQ(json::parse(*base64url_decode(p[0])),
            json::parse(R"({"alg":"EdDSA","kid":"a1b2c3d4e5f60718","typ":"JWT"})"));
  EXPECT_EQ(json::parse(*base64url_decode(p[1])), json::parse(R"({
      "lease":"0123456789abcdef0123456789abcdef","license":12,"product":"cad","units":2,
      "host":"laptop1","user":"ann","iat":1767225600,"exp":1767830400})"));
  // The signature is over "header.payload" as sent.
  EXPECT_TRUE(ed25519_verify(key.public_bytes(), p[0] + "." + p[1], *base64url_decode(p[2])));

  auto verified = verify_borrow_token(token, key.public_bytes());
  ASSERT_TRUE(verified.has_value());
  EXPECT_EQ(verified->kid, "a1b2c3d4e5f60718");
  EXPECT_EQ(verified->claims.exp, 1767830400);
  EXPECT_EQ(token_kid(token), "a1b2c3d4e5f60718");
}

TEST(BorrowToken, AnAlteredTokenOrAnotherKeyDoesNotVerify) {
  const auto key = Ed25519Key::generate();
  const std::string token = borrow_token(claims(), "k1", key);
  EXPECT_FALSE(verify_borrow_token(token, Ed25519Key::generate().public_bytes()));
  auto p = parts(token);
  BorrowClaims longer = claims();
  longer.exp += 86400;
  const auto forged = parts(borrow_token(longer, "k1", Ed25519Key::generate()));
  // Another payload under the original signature.
  EXPECT_FALSE(verify_borrow_token(p[0] + "." + forged[1] + "." + p[2], key.public_bytes()));
  EXPECT_FALSE(verify_borrow_token(p[0] + "." + p[1], key.public_bytes()));
  EXPECT_FALSE(verify_borrow_token("", key.public_bytes()));
  EXPECT_FALSE(verify_borrow_token("a.b.c.d", key.public_bytes()));
}

TEST(BorrowRule, AllowsWithinThePeriodAndTheUnitsOnlyWhereAPolicySaysSo) {
  using Outcome = BorrowVerdict::Outcome;
  EXPECT_EQ(judge_borrow(nullptr, 60, 1, 0).outcome, Outcome::not_allowed);
  BorrowRule rule;
  EXPECT_EQ(judge_borrow(&rule, 60, 1, 0).outcome, Outcome::not_allowed);
  rule.allowed = true;
  EXPECT_EQ(judge_borrow(&rule, kMaxBorrowSeconds, 1000, 0).outcome, Outcome::allowed);
  rule.max_seconds = 3600;
  rule.max_units = 2;
  EXPECT_EQ(judge_borrow(&rule, 3600, 2, 0).outcome, Outcome::allowed);
  auto too_long = judge_borrow(&rule, 3601, 1, 0);
  EXPECT_EQ(too_long.outcome, Outcome::too_long);
  EXPECT_EQ(too_long.limit, 3600);
  EXPECT_EQ(too_long.reason,
            "borrow may be at most 3600 seconds (the site policy's borrow.max_seconds)");
  auto over = judge_borrow(&rule, 60, 1, 2);
  EXPECT_EQ(over.outcome, Outcome::over_limit);
  EXPECT_EQ(over.limit, 2);
  EXPECT_EQ(judge_borrow(&rule, 60, 3, 0).outcome, Outcome::over_limit);
}

}  // namespace
}  // namespace lmp::domain
