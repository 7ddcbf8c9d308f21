// The checks of request values that every interface shares (the HTTP API reads JSON, `lmpd
// admin` reads its flags; both hand the values to the same operations): required fields, names,
// counts and times within their bounds. Each throws DomainError bad_request naming the field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/domain_error.hpp"

namespace lmp::domain {

// Present, else bad_request(missing).
template <class T>
T required(const std::optional<T>& value, const std::string& missing) {
  if (!value) throw bad_request(missing);
  return *value;
}

// A name or text field: 1 to kMaxNameBytes bytes of displayable text (domain/display_text.hpp),
// required.
std::string required_text(std::string_view field, const std::optional<std::string>& value);
// A present text field must be 1 to kMaxNameBytes bytes of displayable text too.
std::optional<std::string> optional_text(std::string_view field,
                                         const std::optional<std::string>& value);
// A count within [min, max].
std::optional<std::int64_t> count_within(std::string_view field,
                                         const std::optional<std::int64_t>& value, std::int64_t min,
                                         std::int64_t max);
// A time a request names (Unix ms): from the epoch's first second to kLatestMs.
std::optional<std::int64_t> time_within(std::string_view field,
                                        const std::optional<std::int64_t>& value_ms);
// An end a request names as `expires` (a time) or as `days` (1 to kMaxDays) from `from_ms`, not
// both; nullopt when it names neither.
std::optional<std::int64_t> new_expiry(const std::optional<std::int64_t>& expires_ms,
                                       const std::optional<std::int64_t>& days,
                                       std::int64_t from_ms);

}  // namespace lmp::domain
