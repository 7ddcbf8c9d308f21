// The hourly roll-ups of usage (docs/benchmarks.md, "Usage reports"): the sweep that writes them
// for closed hours, and a report merged from them with the records of the hours not rolled up.
#pragma once

#include <cstdint>
#include <vector>

#include "domain/context.hpp"
#include "domain/unit_of_work.hpp"
#include "domain/usage_reports.hpp"

namespace lmp::domain {

// The report of `query` (any group) from the roll-ups of the whole hours of its range that have
// one, and the records of the rest: the same rows as usage_report_from_records.
std::vector<UsageRow> usage_report_rolled(const Context& ctx, const CheckedUsageQuery& query);

// Rolls up closed hours one at a time, oldest first, each computed in a read transaction and
// written in a short write transaction of its own (the seat path waits for the write only), on
// the admin worker. Thread safety: none.
class UsageRollupSweep {
 public:
  // An hour is closed, and rolled up, this long after its end: longer than a seat batch takes
  // from reading the clock to its commit, plus the clock differences of instances sharing a
  // PostgreSQL database, so no record of it is still on its way.
  static constexpr std::int64_t kClosedAfterMs = 5 * 60'000;
  // How far back each check for records that came late anyway (a clock stepped back, a stalled
  // commit) looks, and how often it runs.
  static constexpr std::int64_t kLateWindowMs = 6 * 3'600'000;
  static constexpr std::int64_t kLateCheckEveryMs = 60'000;

  // Roll-ups older than `retention_ms` are deleted, as their records are.
  explicit UsageRollupSweep(std::int64_t retention_ms) : retention_ms_(retention_ms) {}

  // Rolls up at most `max_hours` closed hours (stale ones first) and checks for late records
  // when due. Returns how many hours it rolled up. Throws StoreError.
  int run(UnitOfWork& db, std::int64_t now_ms, int max_hours);

  // Rolls up hour `hour_ms`, replacing its roll-up; false when a record arrived for it between
  // the read and the write (left to the next run). Throws StoreError.
  static bool roll_up(UnitOfWork& db, std::int64_t hour_ms);

 private:
  // Marks stale the roll-ups of the window whose hours have gained or lost records since.
  static void check_late(UnitOfWork& db, std::int64_t closed_ms);

  const std::int64_t retention_ms_;
  std::int64_t next_check_ms_ = 0;
};

}  // namespace lmp::domain
