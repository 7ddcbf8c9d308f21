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

}  // namespace
}  // namespace lmp::calendar
