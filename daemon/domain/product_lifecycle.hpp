// What a product's lifecycle is at a moment: `active`, `end_of_sale` or `end_of_life`, from the
// earlier of the config's date and the date set through the admin API. Every End-of-Sale and
// End-of-Life check (admin operations, seat path, the End-of-Life sweep) asks here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/enum_names.hpp"
#include "domain/product.hpp"

namespace lmp::domain {

// A product's lifecycle dates set through the admin API, and when its End-of-Life deletion ran.
struct StoredLifecycle {
  std::string product_code;
  std::optional<std::int64_t> end_of_sale_ms;
  std::optional<std::int64_t> end_of_life_ms;
  std::optional<std::int64_t> data_deleted_at_ms;
};

enum class LifecycleState { active, end_of_sale, end_of_life };

template <>
struct EnumNames<LifecycleState> {
  static constexpr EnumName<LifecycleState> kNames[] = {
      {LifecycleState::active, "active"},
      {LifecycleState::end_of_sale, "end_of_sale"},
      {LifecycleState::end_of_life, "end_of_life"}};
};

struct ProductLifecycle {
  std::optional<std::int64_t> end_of_sale_ms;  // effective: the earlier of config and API
  std::optional<std::int64_t> end_of_life_ms;
  std::optional<std::int64_t> data_deleted_at_ms;  // when the End-of-Life deletion ran
  LifecycleState state = LifecycleState::active;

  // End of Life implies End of Sale: nothing is sold of a product that is gone.
  bool end_of_sale() const { return state != LifecycleState::active; }
  bool end_of_life() const { return state == LifecycleState::end_of_life; }
};

// The rule itself, on values already read: `stored` is the API's row (nullptr when none).
ProductLifecycle lifecycle_of(const ConfiguredDates& configured, const StoredLifecycle* stored,
                              std::int64_t now_ms);

// The stored row of `code` among `rows`, or nullptr.
const StoredLifecycle* stored_row(const std::vector<StoredLifecycle>& rows, std::string_view code);

// The lifecycle of product `code` at `now_ms` from the configured `products` (none configured:
// the API's dates alone) and the API's `rows`.
ProductLifecycle product_lifecycle(const std::vector<StoredLifecycle>& rows,
                                   const Products& products, std::string_view code,
                                   std::int64_t now_ms);

}  // namespace lmp::domain
