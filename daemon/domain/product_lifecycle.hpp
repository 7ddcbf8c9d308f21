// What a product's lifecycle is at a moment: `active`, `end_of_sale` or `end_of_life`, from the
// earlier of the config's date and the date set through the admin API. Every End-of-Sale and
// End-of-Life check (admin API, seat path, the End-of-Life sweep) asks here.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "seat/product_catalog.hpp"
#include "storage/seat_store.hpp"

namespace lmp::storage {
class DomainStore;
}

namespace lmp::domain {

enum class LifecycleState { active, end_of_sale, end_of_life };

struct ProductLifecycle {
  std::optional<std::int64_t> end_of_sale_ms;  // effective: the earlier of config and API
  std::optional<std::int64_t> end_of_life_ms;
  std::optional<std::int64_t> data_deleted_at_ms;  // when the End-of-Life deletion ran
  LifecycleState state = LifecycleState::active;

  // End of Life implies End of Sale: nothing is sold of a product that is gone.
  bool end_of_sale() const { return state != LifecycleState::active; }
  bool end_of_life() const { return state == LifecycleState::end_of_life; }
};

std::string_view to_string(LifecycleState state);

// The config's dates of a product (Unix ms; none for a product not configured).
struct ConfiguredDates {
  std::optional<std::int64_t> end_of_sale_ms;
  std::optional<std::int64_t> end_of_life_ms;
};

// The rule itself, on values already read: `stored` is the API's row (nullptr when none). Inline,
// because the seat path (which cannot link the domain library) applies it to the rows its own
// store reads.
inline ProductLifecycle lifecycle_of(const ConfiguredDates& configured,
                                     const storage::StoredLifecycle* stored, std::int64_t now_ms) {
  auto earlier = [](std::optional<std::int64_t> a, std::optional<std::int64_t> b) {
    if (a && b) return std::optional<std::int64_t>(std::min(*a, *b));
    return a ? a : b;
  };
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

// The same with the catalog's entry (nullptr for a product not configured).
inline ProductLifecycle lifecycle_of(const seat::CatalogProduct* configured,
                                     const storage::StoredLifecycle* stored, std::int64_t now_ms) {
  return lifecycle_of(configured
                          ? ConfiguredDates{configured->end_of_sale_ms, configured->end_of_life_ms}
                          : ConfiguredDates{},
                      stored, now_ms);
}

// The stored row of `code` among `rows`, or nullptr.
inline const storage::StoredLifecycle* stored_row(const std::vector<storage::StoredLifecycle>& rows,
                                                  const std::string& code) {
  for (const auto& row : rows)
    if (row.product_code == code) return &row;
  return nullptr;
}

// The lifecycle of product `code` at `now_ms`, read inside the store's open transaction; the
// catalog is the one in force (AdminCall::products). This is the End-of-Sale/End-of-Life check
// for every admin-side caller (licenses, plans, registration keys).
ProductLifecycle product_lifecycle(storage::DomainStore& store, const seat::ProductCatalog& catalog,
                                   const std::string& code, std::int64_t now_ms);

}  // namespace lmp::domain
