// The daemon's notion of "now", injected everywhere a rule depends on time so that expiry,
// grace periods and lease reclaim can be tested on a clock the test moves.
#pragma once

#include <cstdint>
#include <mutex>

namespace lmp {

// The wall clock and a monotonic clock read at the same moment. The monotonic clock has an
// arbitrary origin and never jumps; comparing how far each moved tells a step of the wall clock
// (an administrator or a broken NTP setting it) from time passing.
struct ClockReading {
  std::int64_t unix_ms = 0;
  std::int64_t monotonic_ms = 0;
};

// Thread safety: every method may be called from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock Unix time in milliseconds.
  virtual std::int64_t now_unix_ms() const = 0;
  virtual ClockReading read() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t now_unix_ms() const override;
  ClockReading read() const override;
};

// A clock that only moves when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_unix_ms) : reading_{start_unix_ms, 0} {}
  std::int64_t now_unix_ms() const override { return read().unix_ms; }
  ClockReading read() const override {
    std::lock_guard lock(mutex_);
    return reading_;
  }
  // Time passes: both clocks move.
  void advance_ms(std::int64_t delta) {
    std::lock_guard lock(mutex_);
    reading_.unix_ms += delta;
    reading_.monotonic_ms += delta;
  }
  // The wall clock is set (a step): the monotonic clock does not move.
  void set_ms(std::int64_t value) {
    std::lock_guard lock(mutex_);
    reading_.unix_ms = value;
  }
  void step_ms(std::int64_t delta) {
    std::lock_guard lock(mutex_);
    reading_.unix_ms += delta;
  }

 private:
  mutable std::mutex mutex_;  // both values change together, so a reading never sees half a move
  ClockReading reading_;
};

}  // namespace lmp
