// The clock guard (docs/entitlements.md, "The clock guard"): tells when the wall clock has moved
// back behind the server's durable high-water mark of it by more than `trust.clock_tolerance_
// seconds`, once per episode, in the log, in /metrics and in /readyz. Licenses are judged at the
// mark whatever it says (domain::judged_at); this is the report of it.
#pragma once

#include <atomic>
#include <cstdint>

#include "metrics/registry.hpp"

namespace lmp::domain {

// Thread safety: observe() from one thread (the seat service's storage thread); everything else
// from any thread.
class ClockGuard {
 public:
  // Registers lmp_clock_behind_mark_seconds and lmp_clock_moved_back_total in `registry`, when
  // one is given.
  ClockGuard(std::int64_t tolerance_seconds, metrics::Registry* registry);

  // The wall clock `wall_ms` read with the server's mark `mark_ms` (the time licenses are judged
  // at, never less than the mark stored). An episode begins when the clock is behind the mark by
  // more than the tolerance (logged `clock_moved_back`, counted) and ends when it is back within
  // it (logged `clock_caught_up`).
  void observe(std::int64_t wall_ms, std::int64_t mark_ms);
  // Takes effect at the next observation (a reload).
  void set_tolerance_seconds(std::int64_t seconds) {
    tolerance_ms_.store(seconds * 1000, std::memory_order_relaxed);
  }

  std::int64_t tolerance_seconds() const {
    return tolerance_ms_.load(std::memory_order_relaxed) / 1000;
  }
  // Whether an episode is under way.
  bool moved_back() const { return moved_back_.load(std::memory_order_relaxed); }
  // How far the clock was behind the mark at the last observation, 0 when it was not.
  std::int64_t behind_ms() const { return behind_ms_.load(std::memory_order_relaxed); }
  std::int64_t mark_ms() const { return mark_ms_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> tolerance_ms_;
  std::atomic<bool> moved_back_{false};
  std::atomic<std::int64_t> behind_ms_{0};
  std::atomic<std::int64_t> mark_ms_{0};
  metrics::Gauge* behind_gauge_ = nullptr;
  metrics::Counter* episodes_ = nullptr;
};

}  // namespace lmp::domain
