// A partner pool: the units of a product the parent assigned to a partner, and how many of them
// the partner's keys and licenses hold (domain/pools.hpp draws and returns them).
#pragma once

#include <cstdint>
#include <string>

namespace lmp::domain {

struct PartnerPool {
  std::int64_t account_id = 0;
  std::string product_code;
  std::int64_t assigned = 0;
  std::int64_t drawn = 0;
};

}  // namespace lmp::domain
