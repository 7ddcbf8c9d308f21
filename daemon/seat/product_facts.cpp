// Catalog products as domain product facts.
#include "seat/product_facts.hpp"

#include <utility>
#include <vector>

#include "domain/sdk_unit_type.hpp"

namespace lmp::seat {

domain::Products product_facts(const ProductCatalog& catalog) {
  std::vector<domain::Product> products;
  for (const auto& code : catalog.codes()) {
    const CatalogProduct& entry = *catalog.find(code);
    domain::Product product;
    product.code = entry.info.code;
    product.name = entry.info.name;
    product.family = entry.info.family;
    product.unit = domain::from_sdk(entry.info.unit);
    product.key_prefix = entry.key_prefix;
    product.configured = {entry.end_of_sale_ms, entry.end_of_life_ms};
    products.push_back(std::move(product));
  }
  return domain::Products(std::move(products));
}

}  // namespace lmp::seat
