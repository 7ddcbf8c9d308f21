// The configured products, kept in code order.
#include "domain/product.hpp"

#include <algorithm>

namespace lmp::domain {

Products::Products(std::vector<Product> products) : products_(std::move(products)) {
  std::sort(products_.begin(), products_.end(),
            [](const Product& a, const Product& b) { return a.code < b.code; });
}

const Product* Products::find(std::string_view code) const {
  auto it = std::lower_bound(products_.begin(), products_.end(), code,
                             [](const Product& p, std::string_view c) { return p.code < c; });
  return it != products_.end() && it->code == code ? &*it : nullptr;
}

}  // namespace lmp::domain
