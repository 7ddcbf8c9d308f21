// One page of a list in id order: the items with id > after, at most `limit` of them.
#pragma once

#include <cstdint>
#include <string>

namespace lmp::domain {

struct Page {
  std::int64_t after = 0;
  int limit = 100;
};

// The same for a list in the order of text ids (leases, by their references): "" is the start.
struct LeasePage {
  std::string after;
  int limit = 100;
};

}  // namespace lmp::domain
