// Where a configured product stands in its lifecycle for selling: the one check of End of Sale
// and End of Life that plans, keys and redemption share (included only by daemon/http/admin_*).
#pragma once

#include <string>

#include "http/admin_call.hpp"

namespace lmp::http {

enum class SaleState { for_sale, end_of_sale, end_of_life };

// The product `code` as of the call's time; 404 not_found when it is not configured.
const domain::Product& configured_product(const AdminCall& call, const std::string& code,
                                          SaleState& state);
// A product new plans and keys may be made for: 409 end_of_sale after its End of Sale, 404 after
// its End of Life (it is gone) or when unknown.
const domain::Product& product_for_sale(const AdminCall& call, const std::string& code);

}  // namespace lmp::http
