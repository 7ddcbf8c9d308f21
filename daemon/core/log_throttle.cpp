// The fixed-window line budget of log::Throttle.
#include "core/log_throttle.hpp"

#include <string>
#include <vector>

namespace lmp::log {

Throttle::Throttle(std::uint32_t burst, std::chrono::milliseconds window)
    : burst_(burst), window_(window) {}

bool Throttle::admit_at(Clock::time_point now, std::uint64_t& suppressed) {
  std::lock_guard lock(mutex_);
  if (written_in_window_ == 0 || now - window_start_ >= window_) {
    window_start_ = now;
    written_in_window_ = 0;
  }
  if (written_in_window_ >= burst_) {
    ++held_back_;
    return false;
  }
  ++written_in_window_;
  suppressed = held_back_;
  held_back_ = 0;
  return true;
}

void write_throttled(Throttle& throttle, Level level, std::string_view event,
                     std::span<const Field> fields) {
  std::uint64_t suppressed = 0;
  if (!throttle.admit(suppressed)) return;
  if (suppressed == 0) {
    write(level, event, fields);
    return;
  }
  std::vector<Field> all(fields.begin(), fields.end());
  const std::string count = std::to_string(suppressed);
  all.emplace_back("suppressed", count);
  write(level, event, all);
}

}  // namespace lmp::log
