// The ids of usage records on SQLite, made from their times so that the table's own B-tree is
// the time index (docs/usage.md, "How records are stored"; docs/benchmarks.md).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

namespace lmp::storage {

// A record's id is its time in milliseconds shifted left by kUsageIdTimeShift, plus its place
// among the records of that millisecond. 11 bits: 2,048 records a millisecond before a record
// spills into the next, and ids below 2^53 (exact in JSON numbers) until the year 2109.
inline constexpr int kUsageIdTimeShift = 11;

// The largest time an id can carry.
inline constexpr std::int64_t kUsageIdMaxMs = (std::int64_t{1} << (63 - kUsageIdTimeShift)) - 1;

// The first id a record of `at_ms` (or later) can have; 0 for a time before 1970.
constexpr std::int64_t usage_id_floor(std::int64_t at_ms) {
  return std::clamp<std::int64_t>(at_ms, 0, kUsageIdMaxMs) << kUsageIdTimeShift;
}

// The time a record's id carries, which is the record's `at_ms`.
constexpr std::int64_t usage_id_time(std::int64_t id) {
  return id >> kUsageIdTimeShift;
}

// The id of a record of `at_ms` written after the record `last_id` (-1 when there is none): the
// first id of its millisecond, or the one after the last if that is later. So ids grow in the
// order records are written, each record's time is never earlier than the one written before it
// (a clock set back, or the 2,049th record of one millisecond, moves a record's time forward,
// never back), and every record of a range of times is in the same range of ids.
constexpr std::int64_t next_usage_id(std::int64_t at_ms, std::int64_t last_id) {
  return std::max(usage_id_floor(at_ms), last_id + 1);
}

// usage_id_floor in SQLite's SQL, of the time bound to `param` (":from_ms").
inline std::string usage_id_floor_sql(std::string_view param) {
  static_assert(kUsageIdTimeShift == 11 && kUsageIdMaxMs == 4503599627370495,
                "the SQL below spells the shift and the largest time out");
  return "(MIN(MAX(" + std::string(param) + ", 0), 4503599627370495) << 11)";
}

// usage_id_time in SQLite's SQL, of the id `expression` gives.
inline std::string usage_id_time_sql(std::string_view expression) {
  static_assert(kUsageIdTimeShift == 11, "the SQL below spells the shift out");
  return "((" + std::string(expression) + ") >> 11)";
}

// next_usage_id in SQLite's SQL, for the statements that insert records themselves: a query of
// one row whose column `next_id` is the id of a record of the time bound to `param` (":now"),
// for a WITH clause before the INSERT; ROW_NUMBER() added to it numbers several records of one
// time.
inline std::string next_usage_id_sql(std::string_view param) {
  return "SELECT MAX(" + usage_id_floor_sql(param) +
         ", COALESCE(MAX(id), -1) + 1) AS next_id FROM usage_records";
}

}  // namespace lmp::storage
