// What every domain operation runs in: the unit of work with its transaction open (a write one
// for changes), who calls, the time of the call, and the products configured now. The adapters
// (HTTP routes, `lmpd admin`) build one per call.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/caller.hpp"
#include "domain/live_seats.hpp"
#include "domain/product.hpp"
#include "domain/product_lifecycle.hpp"
#include "domain/unit_of_work.hpp"
#include "domain/vendor_keys.hpp"

namespace lmp::domain {

struct Context {
  UnitOfWork& db;
  const Caller& caller;
  std::int64_t now_ms;
  const Products& products;
  // The seat engine, where the call has one (the admin API); null for `lmpd admin`.
  LiveSeats* seats = nullptr;
  // The vendor keys the server trusts (docs/entitlements.md); null or empty: the vendor's own
  // server, which makes its licenses itself.
  const SiteTrust* trust = nullptr;

  // Whether this is a site server, which takes its licenses from the vendor's entitlements only.
  bool site_server() const { return trust != nullptr && trust->site_server(); }

  // Throws forbidden unless the caller has `permission` (the parent has all, customers none).
  void require(std::string_view permission) const;
  // Appends the audit record of a change this call made, naming the caller as its actor.
  // `before_json` is "" for a creation.
  void audit(std::string_view action, std::string object, std::string scope,
             std::string before_json, std::string after_json) const;
  // That record, for a change another transaction makes (a release by the seat engine).
  AuditRecord audit_record(std::string_view action, std::string object, std::string scope,
                           std::string before_json, std::string after_json) const;
  // The lifecycle of product `code` now: the config's dates and the API's, read in this
  // transaction.
  ProductLifecycle lifecycle(std::string_view code) const;
};

}  // namespace lmp::domain
