// The account named by a customer's scope, for the usage records.
#include "domain/usage_record.hpp"

#include <charconv>

namespace lmp::domain {

std::optional<std::int64_t> account_of_scope(std::string_view scope) {
  // "/1/2/c7/": the segment before the customer's ("c7") is its account.
  const auto customer = scope.rfind("/c");
  if (customer == std::string_view::npos || customer == 0) return std::nullopt;
  const auto start = scope.rfind('/', customer - 1);
  if (start == std::string_view::npos) return std::nullopt;
  std::int64_t id = 0;
  const char* first = scope.data() + start + 1;
  const char* last = scope.data() + customer;
  auto [end, error] = std::from_chars(first, last, id);
  if (error != std::errc() || end != last) return std::nullopt;
  return id;
}

}  // namespace lmp::domain
