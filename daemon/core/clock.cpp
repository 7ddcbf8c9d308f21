// The real clock.
#include "core/clock.hpp"

#include <chrono>

namespace lmp {

std::int64_t SystemClock::now_unix_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

ClockReading SystemClock::read() const {
  using namespace std::chrono;
  return {now_unix_ms(),
          duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count()};
}

}  // namespace lmp
