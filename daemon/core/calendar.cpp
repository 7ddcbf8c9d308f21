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

namespace {

// The value of `text`'s digits, all of them digits; nullopt otherwise.
std::optional<std::int64_t> digits_value(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

std::optional<std::int64_t> parse_time(std::string_view text) {
  // Unix seconds: at most 12 digits (past the year 9999 is no time anyone means).
  if (text.size() <= 12 && digits_value(text)) return digits_value(text);
  if (text.size() == 10) return parse_date(text);
  if (text.size() > 10 && text.back() == 'Z') text.remove_suffix(1);
  if (text.size() < 16 || text[10] != 'T') return std::nullopt;
  const auto day = parse_date(text.substr(0, 10));
  if (!day) return std::nullopt;
  std::string_view clock = text.substr(11);  // HH:MM or HH:MM:SS
  if (clock.size() != 5 && clock.size() != 8) return std::nullopt;
  if (clock[2] != ':' || (clock.size() == 8 && clock[5] != ':')) return std::nullopt;
  const auto hours = digits_value(clock.substr(0, 2));
  const auto minutes = digits_value(clock.substr(3, 2));
  const auto seconds =
      clock.size() == 8 ? digits_value(clock.substr(6, 2)) : std::optional<std::int64_t>(0);
  if (!hours || !minutes || !seconds || *hours > 23 || *minutes > 59 || *seconds > 59)
    return std::nullopt;
  return *day + *hours * 3600 + *minutes * 60 + *seconds;
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
