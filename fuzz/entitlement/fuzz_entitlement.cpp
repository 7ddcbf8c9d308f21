// libFuzzer target: the entitlement importer's reading (domain/entitlement.hpp), as a site server
// reads a file or a POST /v1/entitlements body. Input starting with '{' is a payload the harness
// signs with the trusted key (so that the claims' checks are reached, which a fuzzer cannot reach
// through a signature); anything else is the file's text as it is. Either the entitlement is
// refused with one of its own reasons and a message, or it is accepted, bound to this site, and
// reads back to the same terms when signed again.
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/fuzz_check.hpp"
#include "core/base64url.hpp"
#include "core/ed25519.hpp"
#include "domain/domain_error.hpp"
#include "domain/entitlement.hpp"
#include "domain/limits.hpp"

namespace {

using lmp::fuzz::check;
namespace domain = lmp::domain;

constexpr std::int64_t kNowMs = 1767225600000;  // 2026-01-01
constexpr std::string_view kSite = "site-one";

const lmp::Ed25519Key& key() {
  static const auto k = *lmp::Ed25519Key::from_private(std::string(32, '\x2a'));
  return k;
}

const domain::SiteTrust& trust() {
  static const auto t =
      domain::site_trust_of({R"({"kty":"OKP","crv":"Ed25519","kid":"k1","x":")" +
                             lmp::base64url_encode(key().public_bytes()) + "\"}"});
  return t;
}

bool own_reason(domain::ErrorCode code) {
  using domain::ErrorCode;
  return code == ErrorCode::entitlement_malformed || code == ErrorCode::entitlement_unknown_key ||
         code == ErrorCode::entitlement_bad_signature ||
         code == ErrorCode::entitlement_other_site || code == ErrorCode::entitlement_expired;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string token(input);
  if (!input.empty() && input.front() == '{') {
    const std::string header =
        lmp::base64url_encode(R"({"alg":"EdDSA","kid":"k1","typ":"lmp-entitlement+jwt"})");
    const std::string signing_input = header + "." + lmp::base64url_encode(input);
    token = signing_input + "." + lmp::base64url_encode(key().sign(signing_input));
  }
  try {
    const auto v = domain::verify_entitlement(token, trust(), kSite, kNowMs);
    const auto& e = v.entitlement;
    check(v.kid == "k1", "accepted with another kid", input);
    check(e.site == kSite, "accepted for another site", input);
    check(e.terms.units >= 1 && e.terms.units <= domain::kMaxUnits, "units out of range", input);
    check(e.terms.expires > e.terms.starts, "expires not after starts", input);
    check(e.serial >= 1, "serial below 1", input);
    check(!e.valid_until || *e.valid_until * 1000 > kNowMs, "accepted past its exp", input);
    const auto again = domain::verify_entitlement(domain::sign_entitlement(e, "k1", key()), trust(),
                                                  kSite, kNowMs);
    check(boost::json::serialize(again.entitlement.terms.json()) ==
              boost::json::serialize(e.terms.json()),
          "terms do not read back", input);
  } catch (const domain::DomainError& refusal) {
    check(own_reason(refusal.code()), "refused with a reason not its own", input);
    check(std::string_view(refusal.what()).size() > 0, "refused without a message", input);
  }
  return 0;
}
