// The hourly roll-ups of the usage records (a port: storage implements it): which hours are
// rolled up, their license hours and holders, and what the roll-up sweep writes. Every method
// REQUIRES the unit of work's open transaction and throws StoreError when the database fails.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "domain/usage_hour_report.hpp"
#include "domain/usage_hours.hpp"
#include "domain/usage_repository.hpp"

namespace lmp::domain {

// An hour rolled up and how many records it had then; -1 once a record arrived late for it.
struct UsageRolledHour {
  std::int64_t hour_ms = 0;
  std::int64_t records = 0;
};

class UsageRollupRepository {
 public:
  virtual ~UsageRollupRepository() = default;

  // The hours in [from_ms, to_ms) rolled up, in time order (stale ones too: records -1).
  virtual std::vector<UsageRolledHour> rolled_hours(std::int64_t from_ms, std::int64_t to_ms) = 0;
  // The latest hour rolled up; nullopt when none is.
  virtual std::optional<std::int64_t> latest_hour() = 0;
  // The oldest hour whose roll-up is stale; nullopt when none is.
  virtual std::optional<std::int64_t> oldest_stale_hour() = 0;
  // The time of the oldest usage record; nullopt when there is none.
  virtual std::optional<std::int64_t> oldest_record_ms() = 0;
  // The number of records (of every event) in each hour of [from_ms, to_ms) that has any.
  virtual std::vector<UsageRolledHour> record_counts(std::int64_t from_ms, std::int64_t to_ms) = 0;
  // Marks every rolled hour from `hour_ms` on stale: rolled again before reports use it.
  virtual void mark_stale_from(std::int64_t hour_ms) = 0;
  // Replaces hour `hour_ms`'s roll-up (if any) with the license hours `hours` and the holders'
  // own hours `holder_hours` (UsageHourBuilder by holder: one per holder of a license hour),
  // `records` counted.
  virtual void store_hour(std::int64_t hour_ms, std::int64_t records,
                          const std::vector<UsageLicenseHour>& hours,
                          const std::vector<UsageLicenseHour>& holder_hours) = 0;
  // Deletes the roll-ups of the hours before `hour_ms`; returns how many hours.
  virtual std::int64_t prune_before(std::int64_t hour_ms) = 0;

  // The license hours in [from_ms, to_ms) matching `filter`, in time order (holders not read);
  // their changes only with `changes`, and those of the hour at from_ms always.
  virtual void each_hour(const UsageFilter& filter, std::int64_t from_ms, std::int64_t to_ms,
                         bool changes,
                         const std::function<void(const UsageLicenseHour&)>& visit) = 0;
  // The holder days of the days touching [from_ms, to_ms) matching `filter`, a day after the
  // other; their use (UsageHolderDay::use and changes) only `with_use`.
  virtual void each_holder_day(const UsageFilter& filter, std::int64_t from_ms, std::int64_t to_ms,
                               bool with_use,
                               const std::function<void(const UsageHolderDay&)>& visit) = 0;
};

}  // namespace lmp::domain
