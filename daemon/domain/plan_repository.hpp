// The service plans (a port: storage implements it). Every method REQUIRES the unit of work's
// open transaction and throws StoreError when the database fails.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/page.hpp"
#include "domain/service_plan.hpp"

namespace lmp::domain {

class PlanRepository {
 public:
  virtual ~PlanRepository() = default;

  // DuplicateError when the name is taken.
  virtual ServicePlan create(const ServicePlan& plan) = 0;
  virtual std::optional<ServicePlan> find(std::int64_t id) = 0;
  // Plans visible from `scope`: owned by an account on the path to it or below it; `product` ""
  // for every product.
  virtual std::vector<ServicePlan> list(const std::string& scope, const std::string& product,
                                        Page page) = 0;
  // Writes the terms that may change (name, period, auto-renewal, notice, grace); DuplicateError
  // when the new name is another plan's.
  virtual void update(const ServicePlan& plan) = 0;
};

}  // namespace lmp::domain
