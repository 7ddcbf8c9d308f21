// Where a configured product stands for selling: the one check of End of Sale and End of Life
// that plans, keys, redemption and pools share.
#pragma once

#include <string>

#include "domain/context.hpp"
#include "domain/domain_error.hpp"
#include "domain/product.hpp"

namespace lmp::domain {

enum class SaleState { for_sale, end_of_sale, end_of_life };

// not_found for a product code the config does not name.
DomainError unknown_product(std::string_view code);

// The product `code` and where it stands now; not_found when it is not configured.
const Product& configured_product(const Context& ctx, const std::string& code, SaleState& state);
// A product new plans and keys may be made for: end_of_sale after its End of Sale, not_found after
// its End of Life (it is gone) or when unknown.
const Product& product_for_sale(const Context& ctx, const std::string& code);

}  // namespace lmp::domain
