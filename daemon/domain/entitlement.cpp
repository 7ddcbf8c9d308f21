// Signing and verifying entitlements.
#include "domain/entitlement.hpp"

#include "domain/domain_error.hpp"
#include "domain/jws.hpp"
#include "domain/limits.hpp"
#include "domain/unit_type.hpp"

namespace lmp::domain {
namespace json = boost::json;

namespace {

DomainError malformed(const std::string& why) {
  return DomainError(ErrorCode::entitlement_malformed, "the entitlement is malformed: " + why);
}

template <class T>
T claim(const std::optional<T>& value, const char* name) {
  if (!value) throw malformed(std::string("its payload has no valid \"") + name + "\"");
  return *value;
}

std::int64_t count(const json::object& p, const char* name, std::int64_t min, std::int64_t max) {
  const auto n = claim(claim_integer(p, name), name);
  if (n < min || n > max)
    throw malformed(std::string("\"") + name + "\" is out of range (" + std::to_string(min) +
                    " to " + std::to_string(max) + ")");
  return n;
}

std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

}  // namespace

json::object EntitlementTerms::json() const {
  return json::object{{"license", license},
                      {"customer", customer},
                      {"product", product},
                      {"family", family},
                      {"units", units},
                      {"unit", unit},
                      {"trial", trial},
                      {"starts", starts},
                      {"expires", expires},
                      {"grace_days", grace_days},
                      {"notice_days", notice_days}};
}

std::string sign_entitlement(const Entitlement& e, std::string_view kid, const Ed25519Key& key) {
  json::object payload = e.terms.json();
  payload["site"] = e.site;
  payload["serial"] = e.serial;
  payload["iat"] = e.issued;
  if (e.valid_until) payload["exp"] = *e.valid_until;
  const json::object header{{"alg", "EdDSA"}, {"kid", kid}, {"typ", kEntitlementType}};
  return jws_sign(header, payload, key);
}

VerifiedEntitlement verify_entitlement(std::string_view token, const SiteTrust& trust,
                                       std::string_view site_id, std::int64_t now_ms) {
  token = trimmed(token);
  if (token.size() > kMaxEntitlementSize)
    throw malformed("it is larger than " + std::to_string(kMaxEntitlementSize) + " bytes");
  auto jws = parse_jws(token);
  if (!jws)
    throw malformed("not a compact JWS signed with EdDSA (three base64url parts, JSON objects)");
  if (claim_text(jws->header, "typ") != kEntitlementType)
    throw malformed("its header's typ is not " + std::string(kEntitlementType) +
                    " (another kind of token?)");
  const std::string kid = claim_text(jws->header, "kid").value_or("");
  // A JWK is tried for its own kid only; a PEM key, which has no kid, for any.
  bool tried = false;
  bool verified = false;
  for (const auto& key : trust.vendor_keys) {
    if (!key.kid.empty() && key.kid != kid) continue;
    tried = true;
    if (jws_verifies(*jws, key.public_key)) {
      verified = true;
      break;
    }
  }
  if (!tried)
    throw DomainError(ErrorCode::entitlement_unknown_key,
                      "the entitlement is signed with key '" + kid +
                          "', which is not among this site's trust.vendor_keys");
  if (!verified)
    throw DomainError(ErrorCode::entitlement_bad_signature,
                      "the entitlement's signature does not verify with the vendor's key '" + kid +
                          "': it was changed after signing, or signed by someone else");

  const json::object& p = jws->payload;
  VerifiedEntitlement out;
  out.kid = kid;
  Entitlement& e = out.entitlement;
  EntitlementTerms& t = e.terms;
  t.license = count(p, "license", 1, INT64_MAX);
  t.customer = claim(claim_text(p, "customer"), "customer");
  t.product = claim(claim_text(p, "product"), "product");
  t.family = claim(claim_text(p, "family"), "family");
  t.units = count(p, "units", 1, kMaxUnits);
  t.unit = claim(claim_text(p, "unit"), "unit");
  if (!parse<UnitType>(t.unit)) throw malformed("\"unit\" is not a unit type");
  t.trial = claim(claim_bool(p, "trial"), "trial");
  t.starts = count(p, "starts", 0, kLatestMs / 1000);
  t.expires = count(p, "expires", 1, kLatestMs / 1000);
  if (t.expires <= t.starts) throw malformed("\"expires\" is not later than \"starts\"");
  t.grace_days = count(p, "grace_days", 0, kMaxDays);
  t.notice_days = count(p, "notice_days", 0, kMaxDays);
  if (t.customer.empty() || t.product.empty() || t.customer.size() > 200 || t.product.size() > 200)
    throw malformed("\"customer\" and \"product\" must be 1 to 200 bytes");
  e.site = claim(claim_text(p, "site"), "site");
  e.serial = count(p, "serial", 1, INT64_MAX);
  e.issued = count(p, "iat", 0, kLatestMs / 1000);
  if (p.contains("exp")) e.valid_until = count(p, "exp", 1, kLatestMs / 1000);

  if (e.site != site_id)
    throw DomainError(ErrorCode::entitlement_other_site, "the entitlement is bound to site '" +
                                                             e.site + "', and this is site '" +
                                                             std::string(site_id) + "'");
  if (e.valid_until && *e.valid_until * 1000 <= now_ms)
    throw DomainError(ErrorCode::entitlement_expired,
                      "the entitlement could be imported until " + std::to_string(*e.valid_until) +
                          " (Unix seconds) and has expired: ask the vendor for a fresh one");
  return out;
}

}  // namespace lmp::domain
