// The products this server serves, each bound to the family plugin that rules its checkouts.
// Built from the config once the plugins are loaded; immutable afterwards (a reload builds a
// new catalog and swaps it in).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lmp/sdk/family.hpp"

namespace lmp::config {
struct Config;
}
namespace lmp::plugin {
class FamilyRegistry;
}

namespace lmp::seat {

struct CatalogProduct {
  sdk::ProductInfo info;
  std::shared_ptr<sdk::Family> family;  // keeps the plugin loaded while the product exists
  sdk::LeaseTerms terms;
  std::string key_prefix;  // its registration keys' two letters (config `key_prefix`)
  // The config's dates; what is in force is domain::lifecycle_of (with the API's dates).
  std::optional<std::int64_t> end_of_sale_ms;
  std::optional<std::int64_t> end_of_life_ms;
  std::int64_t overage_percent = 0;  // the family's allowance above a license's units
  bool permanent = false;            // leases never expire: allocations, not sessions

  // 9999-12-31T23:59:59Z, the conventional "never": a permanent lease's expiry, which every
  // client reads as a time and which no sweep or comparison ever reaches.
  static constexpr std::int64_t kPermanentLeaseExpiryMs = 253402300799000;

  // When a lease of this product taken or heartbeated at `now_ms` lapses.
  std::int64_t lease_expiry(std::int64_t now_ms) const {
    return permanent ? kPermanentLeaseExpiryMs : now_ms + terms.lease_seconds * 1000;
  }
  std::vector<std::string> components;  // a suite's component product codes; empty otherwise

  bool has_component(const std::string& code) const {
    for (const auto& c : components)
      if (c == code) return true;
    return false;
  }

  // The most units a license of `units` may have in use at once.
  std::int64_t unit_ceiling(std::int64_t units) const {
    return units + units * overage_percent / 100;
  }
};

class ProductCatalog {
 public:
  // Binds every configured product to its family and asks the family to check the product's
  // settings. Problems are appended to `errors` as "file:line:column: message" lines; the
  // products with problems are left out.
  static std::shared_ptr<const ProductCatalog> build(const config::Config& config,
                                                     const plugin::FamilyRegistry& families,
                                                     std::vector<std::string>& errors);

  const CatalogProduct* find(const std::string& code) const;
  std::size_t size() const { return products_.size(); }
  std::vector<std::string> codes() const;
  // The heartbeat interval HELLO advises, before any product is named: the shortest one a
  // checkout of any product advises, so an endpoint beating at it keeps every lease (issue #21:
  // HELLO said the site default while every checkout advised the product's own); the site's
  // `leases.heartbeat_seconds` when no product is configured.
  std::int64_t advised_heartbeat_seconds() const { return advised_heartbeat_seconds_; }

 private:
  std::map<std::string, CatalogProduct, std::less<>> products_;
  std::int64_t advised_heartbeat_seconds_ = 0;
};

}  // namespace lmp::seat
