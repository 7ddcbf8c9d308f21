// Caps how often one kind of log line is written, so that a flood (refused connections, failed
// TLS handshakes, accept errors) cannot flood the log and the disk behind journald as well. The
// lines held back are counted and reported on the next line written.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <span>
#include <string_view>

#include "core/log.hpp"

namespace lmp::log {

// Thread-safe.
class Throttle {
 public:
  using Clock = std::chrono::steady_clock;

  // At most `burst` lines in any window of `window` that starts with a line written.
  Throttle(std::uint32_t burst, std::chrono::milliseconds window);

  // True when a line may be written now; `suppressed` then holds how many lines were held back
  // since the last one written (and that count starts again). False: this line is held back.
  bool admit(std::uint64_t& suppressed) { return admit_at(Clock::now(), suppressed); }
  bool admit_at(Clock::time_point now, std::uint64_t& suppressed);

 private:
  const std::uint32_t burst_;
  const Clock::duration window_;
  std::mutex mutex_;
  Clock::time_point window_start_{};
  std::uint32_t written_in_window_ = 0;
  std::uint64_t held_back_ = 0;
};

// Writes the line when `throttle` admits it, with `suppressed=N` added when N lines were held
// back before it.
void write_throttled(Throttle& throttle, Level level, std::string_view event,
                     std::span<const Field> fields);
inline void write_throttled(Throttle& throttle, Level level, std::string_view event,
                            std::initializer_list<Field> fields) {
  write_throttled(throttle, level, event, std::span<const Field>(fields.begin(), fields.size()));
}

// The throttle every listener uses for its per-connection warnings: 10 lines per 10 s.
inline constexpr std::uint32_t kFloodBurst = 10;
inline constexpr std::chrono::milliseconds kFloodWindow{10'000};

}  // namespace lmp::log
