// The reclaim sweep: expired leases are deleted every `leases.reclaim_interval_ms`, at most
// `limit` at a time, and their units return to the license (promise 3 of the protocol).
#pragma once

#include <cstdint>

#include "seat/seat_rules.hpp"

namespace lmp::storage {
class SeatStore;
}

namespace lmp::seat {

// Thread safety: none; owned by the storage thread.
class ReclaimSweep {
 public:
  // Usage records older than `usage_retention_ms` are pruned by the sweeps, a small step each.
  ReclaimSweep(std::int64_t interval_ms, int limit, std::int64_t usage_retention_ms)
      : interval_ms_(interval_ms), limit_(limit), usage_retention_ms_(usage_retention_ms) {}

  // Most usage records one sweep deletes: a step short enough never to hold the seat path up
  // (at one sweep a second still 86 million a day).
  static constexpr int kUsagePruneStep = 1000;

  // The first sweep runs at `now_ms`.
  void schedule_at(std::int64_t now_ms) { next_ms_ = now_ms; }
  bool due(std::int64_t now_ms) const { return now_ms >= next_ms_; }
  // A step of the wall clock moves the schedule with it.
  void shift(std::int64_t step_ms) { next_ms_ += step_ms; }

  // Deletes up to `limit` leases expired at `now_ms` inside the store's open transaction, tells
  // `events` of each (reclaimed), forgets up to `limit` releases remembered long enough, prunes
  // up to kUsagePruneStep usage records past their retention, and schedules the next sweep: at
  // once when this one was full (more may be waiting), else an interval later. Returns how many
  // it reclaimed.
  std::size_t run(storage::SeatStore& store, std::int64_t now_ms, LeaseEvents& events);
  // The usage records the last run() pruned.
  std::int64_t pruned() const { return pruned_; }

 private:
  const std::int64_t interval_ms_;
  const int limit_;
  const std::int64_t usage_retention_ms_;
  std::int64_t next_ms_ = 0;
  std::int64_t pruned_ = 0;
};

}  // namespace lmp::seat
