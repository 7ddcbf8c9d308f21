// The daemon's notion of "now", injected everywhere a rule depends on time so that expiry,
// grace periods and lease reclaim can be tested on a clock the test moves.
#pragma once

#include <atomic>
#include <cstdint>

namespace lmp {

// Thread safety: now_unix_ms() may be called from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock Unix time in milliseconds.
  virtual std::int64_t now_unix_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t now_unix_ms() const override;
};

// A clock that only moves when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_unix_ms) : now_(start_unix_ms) {}
  std::int64_t now_unix_ms() const override { return now_.load(std::memory_order_acquire); }
  void advance_ms(std::int64_t delta) { now_.fetch_add(delta, std::memory_order_acq_rel); }
  void set_ms(std::int64_t value) { now_.store(value, std::memory_order_release); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace lmp
