// log::Throttle: at most `burst` lines per window, the held-back lines counted on the next one.
#include <gtest/gtest.h>

#include "core/log_throttle.hpp"

namespace lmp::log {
namespace {

using std::chrono::milliseconds;

TEST(LogThrottle, WritesTheBurstThenHoldsBackAndCountsUntilTheWindowEnds) {
  Throttle throttle(3, milliseconds(1000));
  const auto t0 = Throttle::Clock::time_point() + std::chrono::hours(1);
  std::uint64_t suppressed = 99;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(throttle.admit_at(t0 + milliseconds(i), suppressed)) << i;
    EXPECT_EQ(suppressed, 0u);
  }
  for (int i = 0; i < 5; ++i)
    EXPECT_FALSE(throttle.admit_at(t0 + milliseconds(10 + i), suppressed));
  EXPECT_FALSE(throttle.admit_at(t0 + milliseconds(999), suppressed));

  // The window started with the first line written: 1000 ms later a new one starts, and its first
  // line reports the six held back.
  ASSERT_TRUE(throttle.admit_at(t0 + milliseconds(1000), suppressed));
  EXPECT_EQ(suppressed, 6u);
  ASSERT_TRUE(throttle.admit_at(t0 + milliseconds(1001), suppressed));
  EXPECT_EQ(suppressed, 0u);
}

TEST(LogThrottle, AQuietPeriodStartsAFreshBudget) {
  Throttle throttle(2, milliseconds(100));
  const auto t0 = Throttle::Clock::time_point() + std::chrono::hours(1);
  std::uint64_t suppressed = 0;
  EXPECT_TRUE(throttle.admit_at(t0, suppressed));
  EXPECT_TRUE(throttle.admit_at(t0 + milliseconds(50), suppressed));
  EXPECT_FALSE(throttle.admit_at(t0 + milliseconds(60), suppressed));
  EXPECT_TRUE(throttle.admit_at(t0 + milliseconds(5000), suppressed));
  EXPECT_EQ(suppressed, 1u);
  EXPECT_TRUE(throttle.admit_at(t0 + milliseconds(5001), suppressed));
  EXPECT_FALSE(throttle.admit_at(t0 + milliseconds(5002), suppressed));
}

}  // namespace
}  // namespace lmp::log
