// A product's lifecycle read from the store and the catalog in force.
#include "domain/product_lifecycle.hpp"

#include "storage/domain_store.hpp"

namespace lmp::domain {

std::string_view to_string(LifecycleState state) {
  switch (state) {
    case LifecycleState::active:
      return "active";
    case LifecycleState::end_of_sale:
      return "end_of_sale";
    case LifecycleState::end_of_life:
      return "end_of_life";
  }
  return "active";
}

ProductLifecycle product_lifecycle(storage::DomainStore& store, const seat::ProductCatalog& catalog,
                                   const std::string& code, std::int64_t now_ms) {
  const auto rows = store.product_lifecycles();
  return lifecycle_of(catalog.find(code), stored_row(rows, code), now_ms);
}

}  // namespace lmp::domain
