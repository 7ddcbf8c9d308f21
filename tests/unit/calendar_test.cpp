// Tests of the calendar text forms: dates read and written as YYYY-MM-DD, and moments written as
// ISO 8601 UTC for messages (issue #21: a raw Unix time in a message told its reader nothing).
#include "core/calendar.hpp"

#include <gtest/gtest.h>

namespace lmp::calendar {
namespace {

TEST(Calendar, DatesReadAndWriteTheirUtcDay) {
  EXPECT_EQ(parse_date("2026-12-06"), 1796515200);
  EXPECT_EQ(format_date(1796548910), "2026-12-06");
  EXPECT_EQ(parse_date("2026-02-29"), std::nullopt);
  EXPECT_EQ(parse_date("2026-2-28"), std::nullopt);
}

TEST(Calendar, MomentsAreIso8601InUtc) {
  EXPECT_EQ(format_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_utc(1796548910), "2026-12-06T09:21:50Z");
  EXPECT_EQ(format_utc(1796515199), "2026-12-05T23:59:59Z");
  EXPECT_EQ(format_utc(951782400), "2000-02-29T00:00:00Z");
  // Before 1970 the day still starts at midnight.
  EXPECT_EQ(format_utc(-1), "1969-12-31T23:59:59Z");
}

// Both command lines and the API's query times read a time through parse_time (issue #21:
// lmpctl refused `--at 2027-06-30` that `lmpd admin` took).
TEST(Calendar, TimesAreUnixSecondsOrIso8601DatesAndUtcDateTimes) {
  EXPECT_EQ(parse_time("1796548910"), 1796548910);
  EXPECT_EQ(parse_time("0"), 0);
  EXPECT_EQ(parse_time("2026-12-06"), 1796515200);
  EXPECT_EQ(parse_time("2026-12-06T09:21:50Z"), 1796548910);
  EXPECT_EQ(parse_time("2026-12-06T09:21:50"), 1796548910);
  EXPECT_EQ(parse_time("2026-12-06T09:21Z"), 1796548860);
  EXPECT_EQ(parse_time("2026-12-06T09:21"), 1796548860);
  // What a written time would read as another moment is refused, never guessed.
  for (const char* bad :
       {"", "-5", "12.5", "2026-12-06T24:00:00Z", "2026-12-06T09:60Z", "2026-12-06T09:21:50+02:00",
        "2026-12-06 09:21:50", "2026-02-29", "2026-12-06TZ", "2026-12-06T9:21Z", "tomorrow",
        "1796548910Z", "1234567890123"})
    EXPECT_EQ(parse_time(bad), std::nullopt) << bad;
}

}  // namespace
}  // namespace lmp::calendar
