// The denial records counted for the denials report (a port: storage implements it). REQUIRES the
// unit of work's open transaction; throws StoreError when the database fails.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/usage_repository.hpp"

namespace lmp::domain {

// What denials may be counted by, each a column of the usage records.
enum class DenialField { product, user, host, code, license, customer, partner };

// The values of the fields a row is counted by; the others stay empty.
struct DenialKey {
  std::string product;
  std::string user;  // as the checkout named them; "" for those that named none
  std::string host;
  std::string code;  // the error code the checkout was refused with
  std::optional<std::int64_t> license_id;
  std::optional<std::int64_t> customer_id;
  std::optional<std::int64_t> account_id;  // the partner; none for a customer under the root

  auto operator<=>(const DenialKey&) const = default;
};

struct DenialRow {
  DenialKey key;
  std::int64_t denials = 0;  // refused checkouts
  std::int64_t units = 0;    // the units they asked for, together
  std::int64_t first_ms = 0;
  std::int64_t last_ms = 0;
};

struct DenialCount {
  UsageFilter filter;
  std::int64_t from_ms = 0;  // the denials with from_ms <= at < to_ms
  std::int64_t to_ms = 0;
  std::vector<DenialField> by;  // distinct; none: one row over everything
  std::size_t limit = 0;        // the most rows returned
};

class DenialRepository {
 public:
  virtual ~DenialRepository() = default;
  // The denials counted per distinct value of `count.by`, ordered by those fields in the order
  // named, at most `count.limit` rows (a count by no field: one row, or none without denials).
  virtual std::vector<DenialRow> count(const DenialCount& count) = 0;
};

}  // namespace lmp::domain
