// The server's high-water mark of the wall clock, and when a license's mark is written.
#include "seat/clock_marks.hpp"

#include <algorithm>

namespace lmp::seat {

bool clock_mark_due(const domain::LicenseDates& dates, std::int64_t stored_ms,
                    std::int64_t judged_ms) {
  if (judged_ms - stored_ms >= kClockMarkGranularityMs) return true;
  return judged_ms > stored_ms &&
         domain::license_state(dates, judged_ms) != domain::license_state(dates, stored_ms);
}

void ServerClockMark::start(const ClockReading& reading, std::int64_t stored_ms) {
  stored_ms_ = stored_ms;
  wall_ms_ = reading.unix_ms;
  monotonic_ms_ = reading.monotonic_ms;
  mark_ms_ = std::max(reading.unix_ms, stored_ms);
}

std::int64_t ServerClockMark::advance(const ClockReading& reading) {
  const std::int64_t elapsed = std::max<std::int64_t>(0, reading.monotonic_ms - monotonic_ms_);
  monotonic_ms_ = reading.monotonic_ms;
  wall_ms_ = reading.unix_ms;
  mark_ms_ = std::max(reading.unix_ms, mark_ms_ + elapsed);
  return mark_ms_;
}

}  // namespace lmp::seat
