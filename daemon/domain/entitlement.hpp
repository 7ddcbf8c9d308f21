// An entitlement (docs/entitlements.md): one license's terms as the vendor signed them for one
// site, a compact JWS (RFC 7515, EdDSA) whose header has `"typ":"lmp-entitlement+jwt"` and the
// vendor key's `kid`. Writing one, and reading one back with every check that needs no storage
// (form, key, signature, site, expiry), each failure its own DomainError.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ed25519.hpp"
#include "domain/vendor_keys.hpp"

namespace lmp::domain {

inline constexpr std::string_view kEntitlementType = "lmp-entitlement+jwt";
// The largest entitlement read: far above any real one (about 1 KiB), far below a body limit.
inline constexpr std::size_t kMaxEntitlementSize = 16 * 1024;

// The terms of the license; with the JSON names of the payload.
struct EntitlementTerms {
  std::int64_t license = 0;      // "license": the license's id on the vendor's server
  std::string customer;          // "customer": the customer's name
  std::string product;           // "product": the product's code
  std::string family;            // "family": the product's family
  std::int64_t units = 0;        // "units"
  std::string unit;              // "unit": seats, concurrent, ... (domain/unit_type.hpp)
  bool trial = false;            // "trial"
  std::int64_t starts = 0;       // "starts": Unix seconds
  std::int64_t expires = 0;      // "expires": Unix seconds
  std::int64_t grace_days = 0;   // "grace_days"
  std::int64_t notice_days = 0;  // "notice_days"

  // The payload's terms part, in this order (also what the vendor compares to know a change).
  boost::json::object json() const;
};

struct Entitlement {
  EntitlementTerms terms;
  std::string site;                         // "site": the site id it is bound to
  std::int64_t serial = 0;                  // "serial": grows with each change of the terms
  std::int64_t issued = 0;                  // "iat": Unix seconds
  std::optional<std::int64_t> valid_until;  // "exp": Unix seconds; none: no expiry
};

std::string sign_entitlement(const Entitlement& entitlement, std::string_view kid,
                             const Ed25519Key& key);

// An entitlement read and verified: the kid that signed it, and what it says.
struct VerifiedEntitlement {
  std::string kid;
  Entitlement entitlement;
};

// Reads `token` (surrounding whitespace ignored) and checks it against `trust`, `site_id` and the
// time `now_ms`. Throws DomainError: entitlement_malformed (not a JWS of an entitlement, a field
// missing or out of range), entitlement_unknown_key (no trusted key of its kid),
// entitlement_bad_signature, entitlement_other_site, entitlement_expired.
VerifiedEntitlement verify_entitlement(std::string_view token, const SiteTrust& trust,
                                       std::string_view site_id, std::int64_t now_ms);

}  // namespace lmp::domain
