// The product lifecycle rule.
#include "domain/product_lifecycle.hpp"

#include <algorithm>

namespace lmp::domain {
namespace {

std::optional<std::int64_t> earlier(std::optional<std::int64_t> a, std::optional<std::int64_t> b) {
  if (a && b) return std::min(*a, *b);
  return a ? a : b;
}

}  // namespace

ProductLifecycle lifecycle_of(const ConfiguredDates& configured, const StoredLifecycle* stored,
                              std::int64_t now_ms) {
  ProductLifecycle out;
  out.end_of_sale_ms =
      earlier(configured.end_of_sale_ms, stored ? stored->end_of_sale_ms : std::nullopt);
  out.end_of_life_ms =
      earlier(configured.end_of_life_ms, stored ? stored->end_of_life_ms : std::nullopt);
  if (stored) out.data_deleted_at_ms = stored->data_deleted_at_ms;
  if (out.end_of_life_ms && now_ms >= *out.end_of_life_ms)
    out.state = LifecycleState::end_of_life;
  else if (out.end_of_sale_ms && now_ms >= *out.end_of_sale_ms)
    out.state = LifecycleState::end_of_sale;
  return out;
}

const StoredLifecycle* stored_row(const std::vector<StoredLifecycle>& rows, std::string_view code) {
  for (const auto& row : rows)
    if (row.product_code == code) return &row;
  return nullptr;
}

ProductLifecycle product_lifecycle(const std::vector<StoredLifecycle>& rows,
                                   const Products& products, std::string_view code,
                                   std::int64_t now_ms) {
  const Product* product = products.find(code);
  return lifecycle_of(product ? product->configured : ConfiguredDates{}, stored_row(rows, code),
                      now_ms);
}

}  // namespace lmp::domain
