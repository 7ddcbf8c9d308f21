// The selling lifecycle of a configured product: domain::product_lifecycle, which takes the
// earlier of the config's and the API's End-of-Sale and End-of-Life dates.
#include "http/admin_products.hpp"

#include "domain/product_lifecycle.hpp"

namespace lmp::http {

const domain::Product& configured_product(const AdminCall& call, const std::string& code,
                                          SaleState& state) {
  const domain::Product* product = call.products.find(code);
  if (product == nullptr) throw not_found("product");
  const auto lifecycle =
      domain::product_lifecycle(call.db.lifecycles().all(), call.products, code, call.now_ms);
  if (lifecycle.end_of_life())
    state = SaleState::end_of_life;
  else if (lifecycle.end_of_sale())
    state = SaleState::end_of_sale;
  else
    state = SaleState::for_sale;
  return *product;
}

const domain::Product& product_for_sale(const AdminCall& call, const std::string& code) {
  SaleState state{};
  const auto& product = configured_product(call, code, state);
  if (state == SaleState::end_of_life) throw not_found("product");
  if (state == SaleState::end_of_sale)
    throw conflict("end_of_sale", "product " + code + " is past its End of Sale");
  return product;
}

}  // namespace lmp::http
