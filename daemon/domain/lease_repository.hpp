// The live leases, as the admin API reads them (a port: storage implements it). The seat path
// owns the leases; this only reads them, in the admin worker's own transaction. Every method
// REQUIRES the unit of work's open transaction and throws StoreError when the database fails.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/lease.hpp"
#include "domain/page.hpp"

namespace lmp::domain {

// Every field narrows; an empty one matches everything.
struct LeaseFilter {
  std::string scope_prefix;  // leases of customers in this subtree
  std::optional<std::int64_t> license_id;
  std::optional<std::int64_t> customer_id;
  std::string product;
  std::string user;
  std::string host;
  std::optional<bool> borrowed;
};

class LeaseRepository {
 public:
  virtual ~LeaseRepository() = default;

  // The leases live at `now_ms` (expiring later) that match `filter`.
  virtual std::vector<Lease> list(const LeaseFilter& filter, const LeasePage& page,
                                  std::int64_t now_ms) = 0;
  // The lease with this reference, when it is live at `now_ms`.
  virtual std::optional<Lease> find(const std::string& ref, std::int64_t now_ms) = 0;
};

}  // namespace lmp::domain
