// The selling lifecycle of a configured product, from the product lifecycle rule.
#include "domain/product_sales.hpp"

#include "domain/domain_error.hpp"

namespace lmp::domain {

DomainError unknown_product(std::string_view code) {
  return DomainError(ErrorCode::not_found, "no product '" + std::string(code) + "' is configured");
}

const Product& configured_product(const Context& ctx, const std::string& code, SaleState& state) {
  const Product* product = ctx.products.find(code);
  if (product == nullptr) throw unknown_product(code);
  const auto lifecycle = ctx.lifecycle(code);
  if (lifecycle.end_of_life())
    state = SaleState::end_of_life;
  else if (lifecycle.end_of_sale())
    state = SaleState::end_of_sale;
  else
    state = SaleState::for_sale;
  return *product;
}

const Product& product_for_sale(const Context& ctx, const std::string& code) {
  SaleState state{};
  const auto& product = configured_product(ctx, code, state);
  if (state == SaleState::end_of_life) throw not_found("product");
  if (state == SaleState::end_of_sale)
    throw DomainError(ErrorCode::end_of_sale, "product " + code + " is past its End of Sale");
  return product;
}

}  // namespace lmp::domain
