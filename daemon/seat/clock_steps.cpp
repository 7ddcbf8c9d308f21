// Noticing steps of the wall clock and moving the stored lease expiries with them.
#include "seat/clock_steps.hpp"

#include <string>
#include <utility>
#include <vector>

#include "core/log.hpp"
#include "seat/product_catalog.hpp"
#include "storage/seat_store.hpp"

namespace lmp::seat {
namespace {

// The smallest difference between wall-clock and monotonic progress taken as a step of the clock.
constexpr std::int64_t kClockStepToleranceMs = 1000;

}  // namespace

std::int64_t ClockStepWatch::notice(const ClockReading& now) {
  const std::int64_t step = (now.unix_ms - last_.unix_ms) - (now.monotonic_ms - last_.monotonic_ms);
  last_ = now;
  // Batches read the clock at least every 200 ms, and NTP slews by at most 0.5 ms per second:
  // anything near a second is a step.
  if (step > -kClockStepToleranceMs && step < kClockStepToleranceMs) return 0;
  log::warning("clock_jump", {{"direction", step > 0 ? "forward" : "backward"},
                              {"delta_ms", std::to_string(step)},
                              {"now", std::to_string(now.unix_ms)}});
  unshifted_ms_ += step;
  return step;
}

void shift_lease_expiries(storage::SeatStore& store, std::int64_t delta_ms, bool shared_database) {
  if (shared_database) {
    log::warning("lease_expiries_not_shifted",
                 {{"delta_ms", std::to_string(delta_ms)}, {"reason", "shared database"}});
    return;
  }
  std::vector<std::pair<std::string, std::int64_t>> expiries;
  store.for_each_lease([&](const storage::LeaseRecord& lease) {
    // A permanent allocation never expires, whatever the clock does.
    if (lease.expires_at_ms >= CatalogProduct::kPermanentLeaseExpiryMs) return;
    expiries.emplace_back(lease.id, lease.expires_at_ms);
  });
  for (const auto& [id, expires_at_ms] : expiries)
    store.set_lease_expiry(id, expires_at_ms + delta_ms);
  log::info("lease_expiries_shifted",
            {{"delta_ms", std::to_string(delta_ms)}, {"count", std::to_string(expiries.size())}});
}

}  // namespace lmp::seat
