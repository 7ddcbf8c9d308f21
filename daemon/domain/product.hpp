// A product as the licensing rules see it: the facts the config gives (code, name, family, the
// unit its licenses count, its registration keys' prefix, End-of-Sale and End-of-Life dates),
// without the family plugin that rules its checkouts (seat/product_catalog.hpp binds that).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/unit_type.hpp"

namespace lmp::domain {

// The config's lifecycle dates of a product (Unix ms; none when not set).
struct ConfiguredDates {
  std::optional<std::int64_t> end_of_sale_ms;
  std::optional<std::int64_t> end_of_life_ms;
};

struct Product {
  std::string code;
  std::string name;
  std::string family;
  UnitType unit = UnitType::seats;
  std::string key_prefix;  // two letters
  ConfiguredDates configured;
};

// The products configured now; a reload makes a new list. Immutable, so any thread may read it.
class Products {
 public:
  Products() = default;
  explicit Products(std::vector<Product> products);

  const Product* find(std::string_view code) const;
  // In code order.
  const std::vector<Product>& all() const { return products_; }

 private:
  std::vector<Product> products_;
};

}  // namespace lmp::domain
