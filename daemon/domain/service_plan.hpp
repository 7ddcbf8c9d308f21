// A service plan: how a product is sold (docs/admin-api.md, service plans). Trial or full is fixed
// at creation.
#pragma once

#include <cstdint>
#include <string>

#include "domain/unit_type.hpp"

namespace lmp::domain {

struct ServicePlan {
  std::int64_t id = 0;
  std::string name;
  std::int64_t owner_id = 0;  // the account that created it
  std::string owner_path;
  std::string product_code;
  bool trial = false;
  UnitType unit = UnitType::seats;  // the product's unit type when the plan was made
  std::int64_t period_days = 0;
  bool auto_renew = false;
  std::int64_t notice_days = 0;
  std::int64_t grace_days = 0;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
};

}  // namespace lmp::domain
