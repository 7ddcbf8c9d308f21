// Proleptic Gregorian calendar arithmetic on days since 1970-01-01 (UTC), via std::chrono.
#include "core/calendar.hpp"

#include <chrono>
#include <cstdio>

namespace lmp::calendar {

std::optional<std::int64_t> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8};
  const std::size_t lengths[3] = {4, 2, 2};
  for (int i = 0; i < 3; ++i) {
    for (std::size_t k = 0; k < lengths[i]; ++k) {
      char c = text[starts[i] + k];
      if (c < '0' || c > '9') return std::nullopt;
      parts[i] = parts[i] * 10 + (c - '0');
    }
  }
  using namespace std::chrono;
  year_month_day date{year{parts[0]}, month{static_cast<unsigned>(parts[1])},
                      day{static_cast<unsigned>(parts[2])}};
  if (!date.ok()) return std::nullopt;
  return static_cast<std::int64_t>(sys_days{date}.time_since_epoch().count()) * 86400;
}

std::string format_date(std::int64_t unix_seconds) {
  using namespace std::chrono;
  std::int64_t days = unix_seconds >= 0 ? unix_seconds / 86400 : (unix_seconds - 86399) / 86400;
  year_month_day date{sys_days{std::chrono::days{days}}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buf;
}

std::string format_utc(std::int64_t unix_seconds) {
  const std::int64_t day_start =
      (unix_seconds >= 0 ? unix_seconds / 86400 : (unix_seconds - 86399) / 86400) * 86400;
  const std::int64_t in_day = unix_seconds - day_start;
  char buf[16];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02dZ", static_cast<int>(in_day / 3600),
                static_cast<int>(in_day / 60 % 60), static_cast<int>(in_day % 60));
  return format_date(unix_seconds) + buf;
}

}  // namespace lmp::calendar
