// The lease operations: who holds what (the live leases the caller may see, filtered and paged).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/context.hpp"
#include "domain/lease.hpp"
#include "domain/lease_repository.hpp"

namespace lmp::domain {

// Every filter narrows; none widens the caller's view. `account_id` is a partner (or the parent):
// the leases of the customers in its subtree.
struct LeaseQuery {
  std::optional<std::int64_t> license_id;
  std::optional<std::int64_t> customer_id;
  std::optional<std::int64_t> account_id;
  std::string product;
  std::string user;
  std::string host;
  std::optional<std::string> borrowed;  // "true" or "false"; bad_request otherwise
  LeasePage page;
};

// The live leases of the licenses the caller may see (a customer's user its own customer's;
// otherwise view_licenses over its subtree), in reference order after `page.after`, at most
// `page.limit`.
std::vector<Lease> list_leases(const Context& ctx, const LeaseQuery& query);

}  // namespace lmp::domain
