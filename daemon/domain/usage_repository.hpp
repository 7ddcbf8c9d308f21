// The usage records, as the reports read them (a port: storage implements it). Every method
// REQUIRES the unit of work's open transaction and throws StoreError when the database fails.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "domain/usage_record.hpp"

namespace lmp::domain {

// Every field narrows; an empty one matches everything.
struct UsageFilter {
  std::string scope_prefix;  // records of customers in this subtree
  std::optional<std::int64_t> license_id;
  std::optional<std::int64_t> customer_id;
  std::string product;
};

// Called with each record read; the record (its event text included) lives only for the call.
// It carries what the reports use: no peer or code.
using UsageVisitor = std::function<void(const UsageRecord&)>;

class UsageRepository {
 public:
  virtual ~UsageRepository() = default;

  // The records with from_ms <= at_ms < to_ms matching `filter`, in the order written (at_ms,
  // then id). Read a bounded batch at a time: memory does not grow with the range.
  virtual void each_in_range(const UsageFilter& filter, std::int64_t from_ms, std::int64_t to_ms,
                             const UsageVisitor& visit) = 0;
  // The records that end a lease (checkin, reclaim, release, End of Life) after `at_ms` whose
  // lease was checked out before it: the leases in use at `at_ms` that have ended since.
  virtual void each_ended_after(const UsageFilter& filter, std::int64_t at_ms,
                                const UsageVisitor& visit) = 0;
};

}  // namespace lmp::domain
