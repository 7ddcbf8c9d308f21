// The lease operations: who holds what (the live leases the caller may see, filtered and paged),
// and an administrator's release of one.
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

struct ReleaseLease {
  std::string ref;
  std::optional<std::string> reason;  // required: 1 to 200 bytes
};

// Releases a live lease of a customer the caller may modify (modify_customers; customers'
// users may not): the seat engine (ctx.seats) returns its units at once and audits it
// (`lease.release`, with the reason). Returns the lease as it was. not_found for an unknown
// lease, one no longer live, or one outside the caller's subtree; StoreError when the seat
// engine cannot.
Lease release_lease(const Context& ctx, const ReleaseLease& request);

}  // namespace lmp::domain
