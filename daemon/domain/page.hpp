// One page of a list in id order: the items with id > after, at most `limit` of them.
#pragma once

#include <cstdint>

namespace lmp::domain {

struct Page {
  std::int64_t after = 0;
  int limit = 100;
};

}  // namespace lmp::domain
