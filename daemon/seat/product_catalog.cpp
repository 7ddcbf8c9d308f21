// Binding configured products to family plugins.
#include "seat/product_catalog.hpp"

#include "core/registration_key.hpp"

#include <algorithm>
#include <charconv>
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

// An overage beyond ten times the units is no longer an allowance but a different license.
constexpr std::int64_t kMaxOveragePercent = 1000;

std::string accepted_keys(const std::vector<sdk::SettingSpec>& schema) {
  std::string out;
  for (const auto& spec : schema) out += (out.empty() ? "" : ", ") + spec.key;
  return out.empty() ? "none" : out;
}

// The problem with one setting's value under its spec, empty when it fits.
std::string check_value(const sdk::SettingSpec& spec, const std::string& value) {
  switch (spec.type) {
    case sdk::SettingSpec::Type::integer: {
      std::int64_t number = 0;
      const char* end = value.data() + value.size();
      const auto [ptr, ec] = std::from_chars(value.data(), end, number);
      if (value.empty() || ec != std::errc() || ptr != end || number < spec.min ||
          number > spec.max)
        return "setting '" + spec.key + "' must be an integer from " + std::to_string(spec.min) +
               " to " + std::to_string(spec.max) + ", not '" + value + "'";
      return {};
    }
    case sdk::SettingSpec::Type::boolean:
      if (value != "true" && value != "false")
        return "setting '" + spec.key + "' must be true or false, not '" + value + "'";
      return {};
    case sdk::SettingSpec::Type::text:
      return {};
  }
  return {};
}

// Checks a product's settings against its family's schema; each problem is reported at the
// setting's own position (or the product's, for a setting the config did not position).
bool check_settings(const config::Product& product, const std::vector<sdk::SettingSpec>& schema,
                    std::vector<std::string>& errors) {
  bool ok = true;
  for (const auto& [key, value] : product.settings) {
    auto pos = product.setting_positions.find(key);
    const config::Position& where =
        pos != product.setting_positions.end() ? pos->second : product.position;
    const sdk::SettingSpec* spec = nullptr;
    for (const auto& candidate : schema)
      if (candidate.key == key) spec = &candidate;
    std::string problem = spec == nullptr
                              ? "unknown setting '" + key + "' for family " + product.family +
                                    " (accepted: " + accepted_keys(schema) + ")"
                              : check_value(*spec, value);
    if (!problem.empty()) {
      errors.push_back(at(where) + "product '" + product.code + "': " + problem);
      ok = false;
    }
  }
  return ok;
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
    // The suite family counts a suite's units; which products it covers is the config's.
    if (product.family == "suite" && product.components.empty()) {
      errors.push_back(at(product.position) + "product '" + product.code +
                       "': a suite needs components (the products its license covers)");
      continue;
    }
    CatalogProduct entry;
    entry.info.code = product.code;
    entry.info.name = product.name;
    entry.info.family = product.family;
    entry.info.unit = product.unit;
    entry.info.settings = product.settings;
    entry.components = product.components;
    entry.key_prefix = product.key_prefix.empty() ? registration_key::default_prefix(product.code)
                                                  : product.key_prefix;
    entry.info.default_lease_seconds = config.leases.duration_seconds;
    entry.info.default_heartbeat_seconds = config.leases.heartbeat_seconds;
    entry.family = family->family;
    if (product.end_of_sale_unix) entry.end_of_sale_ms = *product.end_of_sale_unix * 1000;
    if (product.end_of_life_unix) entry.end_of_life_ms = *product.end_of_life_unix * 1000;
    // Plugin code is guarded here as everywhere: a throwing family rejects the product, not
    // the daemon.
    std::string problem;
    try {
      // ABI 1.1 methods exist only in the vtables of plugins built against 1.1 or newer.
      const bool has_1_1 = family->abi_minor >= 1;
      if (has_1_1) {
        const auto schema = entry.family->settings_schema();
        if (schema && !check_settings(product, *schema, errors)) continue;
      }
      problem = entry.family->check_product(entry.info);
      if (problem.empty()) {
        entry.terms = entry.family->lease_terms(entry.info);
        if (entry.terms.lease_seconds <= 0 || entry.terms.heartbeat_seconds <= 0)
          problem = "family '" + product.family + "' returned non-positive lease terms";
      }
      if (problem.empty() && has_1_1) {
        entry.permanent = entry.family->permanent(entry.info);
        entry.overage_percent = entry.family->overage_percent(entry.info);
        if (entry.overage_percent < 0 || entry.overage_percent > kMaxOveragePercent)
          problem = "family '" + product.family + "' returned an overage of " +
                    std::to_string(entry.overage_percent) + " %, outside 0 to " +
                    std::to_string(kMaxOveragePercent);
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
  std::int64_t& advised = catalog->advised_heartbeat_seconds_;
  advised = catalog->products_.empty() ? config.leases.heartbeat_seconds
                                       : catalog->products_.begin()->second.terms.heartbeat_seconds;
  for (const auto& product : catalog->products_)
    advised = std::min(advised, product.second.terms.heartbeat_seconds);
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
