// The product operations: the configured products with their lifecycle, and End of Sale / End of
// Life set by the parent, with the End-of-Life deletion when the date is not later than now.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/context.hpp"
#include "domain/product.hpp"
#include "domain/product_lifecycle.hpp"
#include "domain/product_lifecycle_repository.hpp"

namespace lmp::domain {

struct ProductView {
  Product product;
  ProductLifecycle lifecycle;
};

enum class LifecycleDate { end_of_sale, end_of_life };

struct SetProductLifecycle {
  std::string code;
  LifecycleDate date = LifecycleDate::end_of_sale;
  std::optional<std::int64_t> at_ms;  // default: now
};

// Every configured product, in code order.
std::vector<ProductView> list_products(const Context& ctx);
ProductView get_product(const Context& ctx, const std::string& code);
// The parent only. Once the product has reached End of Life nothing about it changes any more
// (end_of_life); a date now or past deletes its data in this same transaction.
ProductView set_product_lifecycle(const Context& ctx, const SetProductLifecycle& request);

struct EndOfLifeDryRun {
  ProductView product;  // as it is (the dry run changes nothing)
  EndOfLifeDeletion would_delete;
};
// What End of Life now would delete, counted by running set_product_lifecycle's own End of Life
// (the same checks, the same deletion) in the caller's write transaction. REQUIRES: the caller
// rolls that transaction back (http: AdminCall::roll_back); nothing is logged.
EndOfLifeDryRun dry_run_end_of_life(const Context& ctx, const std::string& code);

}  // namespace lmp::domain
