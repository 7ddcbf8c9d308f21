// Writing (and, for tests and tools, reading back) a borrowed lease's JWS.
#include "domain/borrow_token.hpp"

#include <boost/json/object.hpp>

#include "domain/jws.hpp"

namespace lmp::domain {
namespace json = boost::json;

std::string borrow_token(const BorrowClaims& c, std::string_view kid, const Ed25519Key& key) {
  const json::object header{{"alg", "EdDSA"}, {"kid", kid}, {"typ", "JWT"}};
  const json::object payload{{"lease", c.lease}, {"license", c.license}, {"product", c.product},
                             {"units", c.units}, {"host", c.host},       {"user", c.user},
                             {"iat", c.iat},     {"exp", c.exp}};
  return jws_sign(header, payload, key);
}

std::optional<std::string> token_kid(std::string_view token) {
  auto jws = parse_jws(token);
  if (!jws) return std::nullopt;
  return claim_text(jws->header, "kid");
}

std::optional<VerifiedToken> verify_borrow_token(std::string_view token,
                                                 std::string_view public_key) {
  auto jws = parse_jws(token);
  if (!jws || !jws_verifies(*jws, public_key)) return std::nullopt;
  const json::object& p = jws->payload;
  auto kid = claim_text(jws->header, "kid");
  auto lease = claim_text(p, "lease");
  auto product = claim_text(p, "product");
  auto host = claim_text(p, "host");
  auto user = claim_text(p, "user");
  auto license = claim_integer(p, "license");
  auto units = claim_integer(p, "units");
  auto iat = claim_integer(p, "iat");
  auto exp = claim_integer(p, "exp");
  if (!kid || !lease || !product || !host || !user || !license || !units || !iat || !exp)
    return std::nullopt;
  VerifiedToken out;
  out.kid = *kid;
  out.claims = {*lease, *license, *product, *units, *host, *user, *iat, *exp};
  return out;
}

}  // namespace lmp::domain
