// Field checks of domain requests.
#include "domain/request_checks.hpp"

#include "domain/display_text.hpp"
#include "domain/license_state.hpp"
#include "domain/limits.hpp"

namespace lmp::domain {

std::optional<std::string> optional_text(std::string_view field,
                                         const std::optional<std::string>& value) {
  if (value && (value->empty() || value->size() > kMaxNameBytes))
    throw bad_request(std::string(field) + " must have 1 to " + std::to_string(kMaxNameBytes) +
                      " bytes");
  if (value)
    if (auto problem = display_text_problem(*value))
      throw bad_request(std::string(field) + " " + *problem);
  return value;
}

std::string required_text(std::string_view field, const std::optional<std::string>& value) {
  return required(optional_text(field, value), std::string(field) + " is required");
}

std::optional<std::int64_t> count_within(std::string_view field,
                                         const std::optional<std::int64_t>& value, std::int64_t min,
                                         std::int64_t max) {
  if (value && (*value < min || *value > max))
    throw bad_request(std::string(field) + " must be from " + std::to_string(min) + " to " +
                      std::to_string(max));
  return value;
}

std::optional<std::int64_t> time_within(std::string_view field,
                                        const std::optional<std::int64_t>& value_ms) {
  if (value_ms && (*value_ms < 1000 || *value_ms > kLatestMs))
    throw bad_request(std::string(field) + " must be a time from 1970 to the end of 9999");
  return value_ms;
}

std::optional<std::int64_t> new_expiry(const std::optional<std::int64_t>& expires_ms,
                                       const std::optional<std::int64_t>& days,
                                       std::int64_t from_ms) {
  const auto expires = time_within("expires", expires_ms);
  const auto length = count_within("days", days, 1, kMaxDays);
  if (expires && length) throw bad_request("give expires or days, not both");
  if (expires) return *expires;
  if (length) return from_ms + *length * kDayMs;
  return std::nullopt;
}

}  // namespace lmp::domain
