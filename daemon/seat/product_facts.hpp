// The licensing domain's view of the catalog: each configured product's facts (code, name,
// family, unit, key prefix, configured lifecycle dates) without its family plugin.
#pragma once

#include "domain/product.hpp"
#include "seat/product_catalog.hpp"

namespace lmp::seat {

domain::Products product_facts(const ProductCatalog& catalog);

}  // namespace lmp::seat
