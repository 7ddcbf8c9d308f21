// The usage filter (domain/usage_repository.hpp) as SQL conditions, shared by the tables of
// usage records and of their roll-ups, which all carry the scope, license, customer and product.
// Included only by daemon/storage/*.cpp (it brings in SOCI).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/usage_repository.hpp"
#include "storage/sql_rows.hpp"

namespace lmp::storage {

// Every condition is always bound, an absent one written to match every row.
inline constexpr std::string_view kUsageFiltered =
    " AND scope LIKE :pattern AND (:any_license = 1 OR license_id = :license)"
    " AND (:any_customer = 1 OR customer_id = :customer)"
    " AND (:any_product = 1 OR product_code = :product)";

// The values of kUsageFiltered's placeholders. bind() must follow the order they appear in the
// text, because SOCI binds uses by position.
struct UsageFilterValues {
  explicit UsageFilterValues(const domain::UsageFilter& filter)
      : pattern(prefix_pattern(filter.scope_prefix)),
        any_license(filter.license_id ? 0 : 1),
        license(filter.license_id.value_or(0)),
        any_customer(filter.customer_id ? 0 : 1),
        customer(filter.customer_id.value_or(0)),
        any_product(filter.product.empty() ? 1 : 0),
        product(filter.product) {}
  void bind(soci::statement& st) const {
    bind_all(st, pattern, any_license, license, any_customer, customer, any_product, product);
  }
  std::string pattern;
  int any_license;
  std::int64_t license;
  int any_customer;
  std::int64_t customer;
  int any_product;
  std::string product;
};

}  // namespace lmp::storage
