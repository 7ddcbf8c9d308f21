// The server's high-water mark of the wall clock on a ManualClock: it follows the wall clock
// forward, never goes back, and while the wall clock is behind it moves on with the time that
// passes; and when a license's mark is worth writing.
#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "seat/clock_marks.hpp"

namespace lmp {
namespace {

constexpr std::int64_t kStart = 1767225600000;
constexpr std::int64_t kDay = domain::kDayMs;
constexpr std::int64_t kMinute = 60000;

TEST(ServerClockMark, FollowsTheWallClockForward) {
  ManualClock clock(kStart);
  seat::ServerClockMark mark;
  mark.start(clock.read(), 0);
  EXPECT_EQ(mark.now_ms(), kStart);
  clock.advance_ms(5000);
  EXPECT_EQ(mark.advance(clock.read()), kStart + 5000);
  clock.step_ms(kDay);  // a step forward is followed at once
  EXPECT_EQ(mark.advance(clock.read()), kStart + 5000 + kDay);
  EXPECT_EQ(mark.behind_ms(), 0);
}

TEST(ServerClockMark, AStepBackWhileRunningKeepsRealTimeGoing) {
  ManualClock clock(kStart);
  seat::ServerClockMark mark;
  mark.start(clock.read(), 0);
  clock.step_ms(-10 * kDay);
  EXPECT_EQ(mark.advance(clock.read()), kStart);
  EXPECT_EQ(mark.behind_ms(), 10 * kDay);
  // A day passes: the mark moves a day, though the wall clock is still ten days behind it.
  clock.advance_ms(kDay);
  EXPECT_EQ(mark.advance(clock.read()), kStart + kDay);
  EXPECT_EQ(mark.behind_ms(), 10 * kDay);
  // The clock set right again: the mark follows it.
  clock.step_ms(10 * kDay + kMinute);
  EXPECT_EQ(mark.advance(clock.read()), kStart + kDay + kMinute);
  EXPECT_EQ(mark.behind_ms(), 0);
}

TEST(ServerClockMark, StartsFromTheStoredMarkWhenTheClockIsBehindIt) {
  ManualClock clock(kStart - 3 * kDay);  // set back three days while lmpd was down
  seat::ServerClockMark mark;
  mark.start(clock.read(), kStart);
  EXPECT_EQ(mark.now_ms(), kStart);
  EXPECT_EQ(mark.behind_ms(), 3 * kDay);
  clock.advance_ms(kMinute);
  EXPECT_EQ(mark.advance(clock.read()), kStart + kMinute);
  // A stored mark behind the clock counts for nothing.
  seat::ServerClockMark later;
  later.start(clock.read(), kStart - 5 * kDay);
  EXPECT_EQ(later.now_ms(), clock.now_unix_ms());
}

TEST(ServerClockMark, IsWrittenOnceItMovedAGranule) {
  ManualClock clock(kStart);
  seat::ServerClockMark mark;
  mark.start(clock.read(), kStart);
  EXPECT_FALSE(mark.write_due());
  clock.advance_ms(kMinute - 1);
  mark.advance(clock.read());
  EXPECT_FALSE(mark.write_due());
  clock.advance_ms(1);
  mark.advance(clock.read());
  EXPECT_TRUE(mark.write_due());
  mark.stored(mark.now_ms());
  EXPECT_FALSE(mark.write_due());
  // A new database has no mark: the first batch writes one.
  seat::ServerClockMark fresh;
  fresh.start(clock.read(), 0);
  EXPECT_TRUE(fresh.write_due());
}

TEST(LicenseClockMark, IsDueAfterAGranuleOrWhenTheStateChanged) {
  const domain::LicenseDates dates{kStart, kStart + 10 * kDay, 0, 0, std::nullopt};
  const std::int64_t stored = kStart + kDay;
  EXPECT_FALSE(seat::clock_mark_due(dates, stored, stored));
  EXPECT_FALSE(seat::clock_mark_due(dates, stored, stored + kMinute - 1));
  EXPECT_TRUE(seat::clock_mark_due(dates, stored, stored + kMinute));
  // Its expiry is written at once, however little the mark moved.
  const std::int64_t before_expiry = kStart + 10 * kDay - 1;
  EXPECT_TRUE(seat::clock_mark_due(dates, before_expiry, before_expiry + 1));
  EXPECT_FALSE(seat::clock_mark_due(dates, before_expiry + 1, before_expiry + 2));
}

}  // namespace
}  // namespace lmp
