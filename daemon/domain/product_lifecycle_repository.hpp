// The product lifecycle dates set through the admin API, and the End-of-Life deletion of a
// product's data (a port: storage implements it). Every method REQUIRES the unit of work's open
// transaction and throws StoreError when the database fails.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/product_lifecycle.hpp"

namespace lmp::domain {

// The rows an End-of-Life deletion removed, by table (the keys voided: counted by the domain,
// delete_product_data_once).
struct EndOfLifeDeletion {
  std::int64_t licenses = 0;
  std::int64_t activations = 0;
  std::int64_t leases = 0;
  std::int64_t keys_voided = 0;
};

class ProductLifecycleRepository {
 public:
  virtual ~ProductLifecycleRepository() = default;

  virtual std::vector<StoredLifecycle> all() = 0;
  // Sets the API's date of the product (creating its row) and moves the license generation, so
  // every instance's seat path reads the lifecycle again.
  virtual void set_end_of_sale(const std::string& product_code, std::int64_t at_ms) = 0;
  virtual void set_end_of_life(const std::string& product_code, std::int64_t at_ms) = 0;
  // Marks the product's data deleted at `now_ms` unless it already is; true when this call did
  // (so exactly one transaction, of one instance, goes on to delete). On PostgreSQL the row lock
  // makes a concurrent claim wait for this transaction and then find the mark.
  virtual bool claim_deletion(const std::string& product_code, std::int64_t now_ms) = 0;
  // Deletes every license of the product with its activations and leases, keeping a retired row
  // per license and, per lease, its release (its id answers `lease_revoked` for a lease duration
  // from `now_ms`); moves the license generation and the lease purge counter.
  virtual EndOfLifeDeletion delete_product_data(const std::string& product_code,
                                                std::int64_t now_ms) = 0;
};

}  // namespace lmp::domain
