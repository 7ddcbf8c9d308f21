// The clock guard's episodes, log lines and metrics.
#include "domain/clock_guard.hpp"

#include <string>

#include "core/log.hpp"

namespace lmp::domain {

ClockGuard::ClockGuard(std::int64_t tolerance_seconds, metrics::Registry* registry)
    : tolerance_ms_(tolerance_seconds * 1000) {
  if (registry == nullptr) return;
  behind_gauge_ =
      &registry
           ->add<metrics::Gauge>(
               "lmp_clock_behind_mark_seconds",
               "How far the wall clock is behind the server's high-water mark of it; licenses are "
               "judged at the mark. Above trust.clock_tolerance_seconds the clock has moved back.")
           .with({});
  episodes_ = &registry
                   ->add<metrics::Counter>(
                       "lmp_clock_moved_back_total",
                       "Times the wall clock fell behind the server's high-water mark of it by "
                       "more than trust.clock_tolerance_seconds.")
                   .with({});
}

void ClockGuard::observe(std::int64_t wall_ms, std::int64_t mark_ms) {
  const std::int64_t behind = mark_ms > wall_ms ? mark_ms - wall_ms : 0;
  behind_ms_.store(behind, std::memory_order_relaxed);
  mark_ms_.store(mark_ms, std::memory_order_relaxed);
  if (behind_gauge_ != nullptr) behind_gauge_->set(behind / 1000);
  const std::int64_t tolerance = tolerance_ms_.load(std::memory_order_relaxed);
  const bool beyond = behind > tolerance;
  if (beyond == moved_back_.load(std::memory_order_relaxed)) return;
  moved_back_.store(beyond, std::memory_order_relaxed);
  if (beyond) {
    if (episodes_ != nullptr) episodes_->add();
    log::warning("clock_moved_back", {{"behind_ms", std::to_string(behind)},
                                      {"mark_ms", std::to_string(mark_ms)},
                                      {"tolerance_ms", std::to_string(tolerance)},
                                      {"effect", "licenses are judged at the mark"},
                                      {"hint", "set the clock right (timedatectl, chronyc)"}});
  } else {
    log::info("clock_caught_up",
              {{"behind_ms", std::to_string(behind)}, {"mark_ms", std::to_string(mark_ms)}});
  }
}

}  // namespace lmp::domain
