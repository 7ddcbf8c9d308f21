// An entitlement's own checks, with keys of the test's own: the vendor keys read from JWK and PEM
// (and what is refused there), a signed entitlement read back, and each refusal that needs no
// storage, in the order the importer makes them.
#include "domain/entitlement.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "core/base64url.hpp"
#include "domain/domain_error.hpp"

namespace lmp {
namespace {

using domain::ErrorCode;

constexpr std::int64_t kNow = 1767225600;  // 2026-01-01, Unix seconds

std::string jwk_of(const Ed25519Key& key, const std::string& kid) {
  return R"({"kty":"OKP","crv":"Ed25519","kid":")" + kid + R"(","x":")" +
         base64url_encode(key.public_bytes()) + R"("})";
}

domain::Entitlement entitlement() {
  domain::Entitlement e;
  e.terms = {7, "Contoso", "cad", "software", 5, "seats", false, kNow, kNow + 365 * 86400, 7, 30};
  e.site = "site-one";
  e.serial = 3;
  e.issued = kNow;
  return e;
}

ErrorCode refusal(const std::string& token, const domain::SiteTrust& trust,
                  std::int64_t now_s = kNow) {
  try {
    domain::verify_entitlement(token, trust, "site-one", now_s * 1000);
  } catch (const domain::DomainError& e) {
    return e.code();
  }
  ADD_FAILURE() << "accepted: " << token;
  return ErrorCode::bad_request;
}

TEST(VendorKeys, AJwkAndAPemKeyAreReadAndEverythingElseIsRefusedWithItsReason) {
  const auto key = Ed25519Key::generate();
  std::string why;
  auto jwk = domain::parse_vendor_key(jwk_of(key, "k1"), why);
  ASSERT_TRUE(jwk) << why;
  EXPECT_EQ(jwk->kid, "k1");
  EXPECT_EQ(jwk->public_key, key.public_bytes());
  auto pem = domain::parse_vendor_key(ed25519_public_key_pem(key.public_bytes()), why);
  ASSERT_TRUE(pem) << why;
  EXPECT_EQ(pem->kid, "");
  EXPECT_EQ(pem->public_key, key.public_bytes());

  const std::string x = base64url_encode(key.public_bytes());
  for (const auto& [text, reason] : std::vector<std::pair<std::string, std::string>>{
           {"", "empty"},
           {"ssh-ed25519 AAAA", "neither"},
           {"{", "one JSON object"},
           {R"({"kty":"EC","crv":"P-256","kid":"k","x":")" + x + "\"}", "not an Ed25519 key"},
           {R"({"kty":"OKP","crv":"Ed25519","kid":"k","x":")" + x + R"(","d":"secret"})",
            "private key"},
           {R"({"kty":"OKP","crv":"Ed25519","kid":"k","x":"AAAA"})", "32-byte"},
           {R"({"kty":"OKP","crv":"Ed25519","x":")" + x + "\"}", "no \"kid\""},
           {"-----BEGIN PUBLIC KEY-----\nnonsense\n-----END PUBLIC KEY-----\n", "not a PEM"}}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(domain::parse_vendor_key(text, why));
    EXPECT_NE(why.find(reason), std::string::npos) << why;
  }
}

TEST(Entitlement, ASignedEntitlementReadsBackWithEveryTerm) {
  const auto key = Ed25519Key::generate();
  const auto trust = domain::site_trust_of({jwk_of(key, "k1")});
  auto e = entitlement();
  e.valid_until = kNow + 86400;
  const auto v = domain::verify_entitlement("  " + domain::sign_entitlement(e, "k1", key) + "\n",
                                            trust, "site-one", kNow * 1000);
  EXPECT_EQ(v.kid, "k1");
  EXPECT_EQ(boost::json::serialize(v.entitlement.terms.json()),
            boost::json::serialize(e.terms.json()));
  EXPECT_EQ(v.entitlement.serial, 3);
  EXPECT_EQ(v.entitlement.valid_until, kNow + 86400);
  // A PEM key has no kid: it is tried for any.
  const auto pem_trust = domain::site_trust_of({ed25519_public_key_pem(key.public_bytes())});
  EXPECT_EQ(domain::verify_entitlement(domain::sign_entitlement(e, "any", key), pem_trust,
                                       "site-one", kNow * 1000)
                .kid,
            "any");
}

TEST(Entitlement, EachRefusalHasItsOwnReason) {
  const auto key = Ed25519Key::generate();
  const auto other = Ed25519Key::generate();
  const auto trust = domain::site_trust_of({jwk_of(key, "k1")});
  const std::string good = domain::sign_entitlement(entitlement(), "k1", key);
  EXPECT_EQ(refusal("", trust), ErrorCode::entitlement_malformed);
  EXPECT_EQ(refusal("a.b", trust), ErrorCode::entitlement_malformed);
  EXPECT_EQ(refusal(good + "x", trust), ErrorCode::entitlement_malformed);
  EXPECT_EQ(refusal(std::string(20000, 'a'), trust), ErrorCode::entitlement_malformed);
  EXPECT_EQ(refusal(domain::sign_entitlement(entitlement(), "k2", key), trust),
            ErrorCode::entitlement_unknown_key);
  EXPECT_EQ(refusal(domain::sign_entitlement(entitlement(), "k1", other), trust),
            ErrorCode::entitlement_bad_signature);
  auto elsewhere = entitlement();
  elsewhere.site = "site-two";
  EXPECT_EQ(refusal(domain::sign_entitlement(elsewhere, "k1", key), trust),
            ErrorCode::entitlement_other_site);
  auto short_lived = entitlement();
  short_lived.valid_until = kNow + 60;
  EXPECT_EQ(refusal(domain::sign_entitlement(short_lived, "k1", key), trust, kNow + 60),
            ErrorCode::entitlement_expired);
  auto backwards = entitlement();
  backwards.terms.expires = backwards.terms.starts;
  EXPECT_EQ(refusal(domain::sign_entitlement(backwards, "k1", key), trust),
            ErrorCode::entitlement_malformed);
  auto no_units = entitlement();
  no_units.terms.units = 0;
  EXPECT_EQ(refusal(domain::sign_entitlement(no_units, "k1", key), trust),
            ErrorCode::entitlement_malformed);
  auto odd_unit = entitlement();
  odd_unit.terms.unit = "litres";
  EXPECT_EQ(refusal(domain::sign_entitlement(odd_unit, "k1", key), trust),
            ErrorCode::entitlement_malformed);
  // A borrowed lease's token is another kind of JWS, even from a trusted key.
  const std::string header = base64url_encode(R"({"alg":"EdDSA","kid":"k1","typ":"JWT"})");
  const std::string payload = good.substr(good.find('.'), good.rfind('.') - good.find('.'));
  const std::string input = header + payload;
  EXPECT_EQ(refusal(input + "." + base64url_encode(key.sign(input)), trust),
            ErrorCode::entitlement_malformed);
}

}  // namespace
}  // namespace lmp
