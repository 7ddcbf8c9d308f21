// The invalid-code budget per address: wrong guesses are charged when answered, and guesses in
// flight hold their places meanwhile (issue #25.1).
#include "net/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace lmp::net {
namespace {

using domain::SeatError;
using Clock = InvalidCodeLimiter::Clock;
using std::chrono::seconds;

TEST(InvalidCodeLimiter, WrongGuessesSpendTheBudgetForTheWindow) {
  InvalidCodeLimiter limiter(3, seconds(60));
  const auto t0 = Clock::now();
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(limiter.retry_after("10.0.0.1", t0), 0);
    limiter.record_invalid("10.0.0.1", t0);
  }
  const auto wait = limiter.retry_after("10.0.0.1", t0 + seconds(10));
  EXPECT_GE(wait, 50);
  EXPECT_LE(wait, 51);
  EXPECT_EQ(limiter.retry_after("10.0.0.2", t0), 0) << "another address has its own budget";
  EXPECT_EQ(limiter.retry_after("::ffff:10.0.0.1", t0 + seconds(10)), wait)
      << "the same address over IPv6";
  EXPECT_EQ(limiter.retry_after("10.0.0.1", t0 + seconds(60)), 0);
}

TEST(InvalidCodeLimiter, GuessesInFlightHoldTheirPlaces) {
  InvalidCodeLimiter limiter(3, seconds(60));
  const auto t0 = Clock::now();
  // Three lookups go out from three connections before any is answered: a fourth finds no
  // place, though the address has not been refused.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(limiter.place_free("10.0.0.1", t0));
    limiter.begin_guess("10.0.0.1", t0);
  }
  EXPECT_FALSE(limiter.place_free("10.0.0.1", t0));
  EXPECT_EQ(limiter.retry_after("10.0.0.1", t0), 0);
  EXPECT_TRUE(limiter.place_free("10.0.0.2", t0));
  // One matched a license: its place comes back, and its code is known from now on.
  const auto good = InvalidCodeLimiter::code_key("11111");
  limiter.answered("10.0.0.1", t0, good, std::nullopt, true);
  EXPECT_TRUE(limiter.known_code(good));
  EXPECT_TRUE(limiter.place_free("10.0.0.1", t0));
  // The other two were wrong, and a third: the window is spent for its remaining time.
  limiter.begin_guess("10.0.0.1", t0);
  for (const char* code : {"2", "3", "4"})
    limiter.answered("10.0.0.1", t0, InvalidCodeLimiter::code_key(code), SeatError::invalid_code,
                     true);
  EXPECT_FALSE(limiter.place_free("10.0.0.1", t0));
  EXPECT_GT(limiter.retry_after("10.0.0.1", t0), 50);
}

TEST(InvalidCodeLimiter, AWaiterResumesWhenAGuessOfItsAddressIsAnswered) {
  InvalidCodeLimiter limiter(1, seconds(60));
  const auto t0 = Clock::now();
  limiter.begin_guess("10.0.0.1", t0);
  int resumed = 0, other = 0;
  limiter.wait_for_place("10.0.0.1", [&] { ++resumed; });
  limiter.wait_for_place("::ffff:10.0.0.1", [&] { ++resumed; });
  limiter.wait_for_place("10.0.0.2", [&] { ++other; });
  // A waiter that checks again and still finds no place waits anew, and is resumed again.
  limiter.end_guess("10.0.0.1", t0, false);
  EXPECT_EQ(resumed, 2);
  EXPECT_EQ(other, 0);
  limiter.begin_guess("10.0.0.1", t0);
  limiter.wait_for_place("10.0.0.1", [&] { ++resumed; });
  limiter.end_guess("10.0.0.1", t0, true);
  EXPECT_EQ(resumed, 3);
  EXPECT_GT(limiter.retry_after("10.0.0.1", t0), 50);
}

TEST(InvalidCodeLimiter, AGuessInFlightOutlivesTheWindowItBeganIn) {
  InvalidCodeLimiter limiter(1, seconds(60));
  const auto t0 = Clock::now();
  limiter.begin_guess("10.0.0.1", t0);
  // The window ends while the guess is still out: a new window starts with the guess in it.
  EXPECT_EQ(limiter.retry_after("10.0.0.1", t0 + seconds(61)), 0);
  EXPECT_FALSE(limiter.place_free("10.0.0.1", t0 + seconds(61)));
  limiter.answered("10.0.0.1", t0 + seconds(62), InvalidCodeLimiter::code_key("5"),
                   SeatError::invalid_code, true);
  EXPECT_GT(limiter.retry_after("10.0.0.1", t0 + seconds(62)), 50);
}

TEST(InvalidCodeLimiter, AServerFailureNeitherChargesNorMakesTheCodeKnown) {
  InvalidCodeLimiter limiter(1, seconds(60));
  const auto t0 = Clock::now();
  const auto key = InvalidCodeLimiter::code_key("7");
  limiter.begin_guess("10.0.0.1", t0);
  limiter.answered("10.0.0.1", t0, key, SeatError::unavailable, true);
  EXPECT_TRUE(limiter.place_free("10.0.0.1", t0));
  EXPECT_EQ(limiter.retry_after("10.0.0.1", t0), 0);
  EXPECT_FALSE(limiter.known_code(key));
}

TEST(InvalidCodeLimiter, AWrongAnswerOfAKnownCodeIsChargedWithoutAPlace) {
  // A code that matched a license may since have been deleted.
  InvalidCodeLimiter limiter(1, seconds(60));
  const auto t0 = Clock::now();
  limiter.answered("10.0.0.1", t0, InvalidCodeLimiter::code_key("8"), SeatError::invalid_code,
                   false);
  EXPECT_GT(limiter.retry_after("10.0.0.1", t0), 50);
}

}  // namespace
}  // namespace lmp::net
