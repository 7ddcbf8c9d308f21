// The high-water marks of the wall clock on the seat path (docs/architecture.md, "Time"): the
// server's mark, which never moves back and goes on with the time that passes while the wall
// clock is behind it, and when a license's durable mark is worth writing.
#pragma once

#include <cstdint>

#include "core/clock.hpp"
#include "domain/license_state.hpp"

namespace lmp::seat {

// A mark is written once it has moved this far since it was stored, or at once when the state
// it judges changed; so a restart after a crash judges a license at most this much earlier than
// it was last judged, and never in an earlier state.
inline constexpr std::int64_t kClockMarkGranularityMs = 60000;

// Whether a license judged at `judged_ms` should have its mark, stored at `stored_ms`, written
// in this batch: it moved by the granularity or more, or the license's state at the two moments
// differs (an expiry must survive any restart).
bool clock_mark_due(const domain::LicenseDates& dates, std::int64_t stored_ms,
                    std::int64_t judged_ms);

// The time up to which the server has judged licenses. Started at the stored mark, it moves
// with the wall clock while that is ahead of it; while the wall clock is behind it (set back
// before a start or while running) it moves on by the time that passes on the monotonic clock,
// so a license's validity runs out at the pace of real time, however far the clock went back.
// Thread safety: none; owned by the storage thread.
class ServerClockMark {
 public:
  // `stored_ms`: the mark in the database (0 on a new one).
  void start(const ClockReading& reading, std::int64_t stored_ms);
  // The mark at `reading`: the time licenses are judged at (before their own marks).
  std::int64_t advance(const ClockReading& reading);
  std::int64_t now_ms() const { return mark_ms_; }
  // How far the wall clock of the last reading is behind the mark; 0 when it is not.
  std::int64_t behind_ms() const { return mark_ms_ - wall_ms_; }
  // It has moved by the granularity or more since it was last stored.
  bool write_due() const { return mark_ms_ - stored_ms_ >= kClockMarkGranularityMs; }
  // A transaction that wrote `mark_ms` committed.
  void stored(std::int64_t mark_ms) {
    if (mark_ms > stored_ms_) stored_ms_ = mark_ms;
  }

 private:
  std::int64_t mark_ms_ = 0;
  std::int64_t wall_ms_ = 0;       // the wall clock of the last reading
  std::int64_t monotonic_ms_ = 0;  // the monotonic clock of the last reading
  std::int64_t stored_ms_ = 0;
};

}  // namespace lmp::seat
