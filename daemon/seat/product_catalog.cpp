// Binding configured products to family plugins.
#include "seat/product_catalog.hpp"

#include <exception>

#include "config/config.hpp"
#include "plugin/registry.hpp"

namespace lmp::seat {
namespace {

std::string at(const config::Position& pos) {
  return pos.file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": ";
}

std::string family_list(const plugin::FamilyRegistry& families) {
  std::string out;
  for (const auto& name : families.names()) out += (out.empty() ? "" : ", ") + name;
  return out.empty() ? "none" : out;
}

}  // namespace

std::shared_ptr<const ProductCatalog> ProductCatalog::build(const config::Config& config,
                                                            const plugin::FamilyRegistry& families,
                                                            std::vector<std::string>& errors) {
  auto catalog = std::make_shared<ProductCatalog>();
  for (const auto& product : config.products) {
    const plugin::LoadedFamily* family = families.find(product.family);
    if (family == nullptr) {
      errors.push_back(at(product.position) + "product '" + product.code +
                       "': no plugin provides family '" + product.family +
                       "' (loaded: " + family_list(families) + ")");
      continue;
    }
    CatalogProduct entry;
    entry.info.code = product.code;
    entry.info.name = product.name;
    entry.info.family = product.family;
    entry.info.unit = product.unit;
    entry.info.settings = product.settings;
    entry.info.default_lease_seconds = config.leases.duration_seconds;
    entry.info.default_heartbeat_seconds = config.leases.heartbeat_seconds;
    entry.family = family->family;
    if (product.end_of_sale_unix) entry.end_of_sale_ms = *product.end_of_sale_unix * 1000;
    if (product.end_of_life_unix) entry.end_of_life_ms = *product.end_of_life_unix * 1000;
    // Plugin code is guarded here as everywhere: a throwing family rejects the product, not
    // the daemon.
    std::string problem;
    try {
      problem = entry.family->check_product(entry.info);
      if (problem.empty()) {
        entry.terms = entry.family->lease_terms(entry.info);
        if (entry.terms.lease_seconds <= 0 || entry.terms.heartbeat_seconds <= 0)
          problem = "family '" + product.family + "' returned non-positive lease terms";
      }
    } catch (const std::exception& ex) {
      problem = "family '" + product.family + "' failed checking the product: " + ex.what();
    } catch (...) {
      problem = "family '" + product.family + "' failed checking the product";
    }
    if (!problem.empty()) {
      errors.push_back(at(product.position) + "product '" + product.code + "': " + problem);
      continue;
    }
    catalog->products_.emplace(product.code, std::move(entry));
  }
  return catalog;
}

const CatalogProduct* ProductCatalog::find(const std::string& code) const {
  auto it = products_.find(code);
  return it == products_.end() ? nullptr : &it->second;
}

std::vector<std::string> ProductCatalog::codes() const {
  std::vector<std::string> out;
  out.reserve(products_.size());
  for (const auto& [code, product] : products_) out.push_back(code);
  return out;
}

}  // namespace lmp::seat
