// The partner pools (a port: storage implements it). Every method REQUIRES the unit of work's open
// transaction and throws StoreError when the database fails.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/partner_pool.hpp"

namespace lmp::domain {

class PoolRepository {
 public:
  virtual ~PoolRepository() = default;

  // Sets the units assigned (creating the pool the first time).
  virtual void set(std::int64_t account_id, const std::string& product, std::int64_t assigned) = 0;
  virtual std::optional<PartnerPool> find(std::int64_t account_id, const std::string& product) = 0;
  // In product order.
  virtual std::vector<PartnerPool> list(std::int64_t account_id) = 0;
  // Adds `units` to drawn unless that crosses assigned (negative units give back); false when it
  // would, or when there is no pool. A conditional update, safe under concurrent draws.
  virtual bool change_drawn(std::int64_t account_id, const std::string& product,
                            std::int64_t units) = 0;
};

}  // namespace lmp::domain
