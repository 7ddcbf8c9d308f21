// The entitlement operations (docs/entitlements.md): the site's id, the export of a license as an
// entitlement on the vendor's server, and its import on a site server, where a newer serial
// replaces the license's terms in place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.hpp"
#include "domain/context.hpp"
#include "domain/domain_error.hpp"
#include "domain/entitlement_repository.hpp"
#include "domain/license.hpp"

namespace lmp::domain {

// The site id: the stored one, or one made now (`site-` and 32 random hex digits) and stored.
// REQUIRES an open write transaction.
std::string ensure_site_id(EntitlementRepository& repository, std::int64_t now_ms, Env& env);

// What GET /v1/site and `lmpd admin site-id` show.
struct SiteView {
  std::string site_id;  // "" before the server made one
  bool site_server = false;
  std::vector<std::string> vendor_kids;  // the trusted keys' kids ("" for a PEM key)
};
// Any account user may read it (it names the server, it grants nothing); customers may not.
SiteView site_of(const Context& ctx);

struct ExportEntitlement {
  std::int64_t license_id = 0;
  std::optional<std::string> site;         // the site id it is bound to; required
  std::optional<std::int64_t> valid_days;  // it can be imported this long; default: no expiry
};

struct ExportedEntitlement {
  std::string token;  // the compact JWS
  std::string kid;
  std::int64_t serial = 0;
  std::optional<std::int64_t> valid_until;  // Unix seconds
};

// The vendor's server signs a license's terms for a site with its signing key. Only the parent
// account (the vendor) may; refused on a site server (site_server). The serial stays while the
// terms stay, and grows by one with each change of them since the last export. Audited as
// `entitlement.export`. REQUIRES the context's write transaction.
ExportedEntitlement export_entitlement(const Context& ctx, const ExportEntitlement& request);

struct ImportedLicense {
  enum class Result { created, replaced, unchanged };
  Result result = Result::created;
  License license;
  std::string code;  // the activation code's 20 digits, when `created`; shown once
  std::int64_t serial = 0;
  std::int64_t vendor_license = 0;
};
std::string_view to_string(ImportedLicense::Result result);

// One import: either the license, or the refusal, which was audited as `entitlement.refuse` in
// the caller's transaction (commit it: the record is all it wrote).
struct ImportAttempt {
  std::optional<ImportedLicense> imported;
  std::optional<DomainError> refusal;
};

// Writes the audit record of a refused import (`entitlement.refuse`, with the reason, the message
// and `source`) and returns the attempt that carries the refusal.
ImportAttempt refuse_entitlement(const Context& ctx, const DomainError& refusal,
                                 std::string_view source);

// Imports one entitlement (the JWS text) on a site server; `source` says where it came from
// (api, a file's path) for the audit log. Only the parent account may (forbidden is thrown, not
// audited). Refusals: not_site_server, each of verify_entitlement()'s, entitlement_unknown_product
// (not configured here, or of another family or unit), end_of_life, entitlement_not_newer (a
// serial below the one held, or equal to it with other terms; the same entitlement again is
// `unchanged`). A new license goes to the customer of its name (made when missing) with a fresh
// activation code; a newer serial replaces the terms of the license made before, in place.
// REQUIRES the context's write transaction.
ImportAttempt import_entitlement(const Context& ctx, std::string_view token,
                                 std::string_view source);

}  // namespace lmp::domain
