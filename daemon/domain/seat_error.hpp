// The errors of the seat protocol (docs/protocol.md, "Error codes") as one enum, with everything
// the transports need to know about each defined once, in one table: its wire spelling, its HTTP
// status on the HTTP seat routes, whether it charges the peer's invalid-code budget and whether
// it carries `retry_after`. Header-only, so every module above the domain uses it without a link.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "lmp/sdk/family.hpp"

namespace lmp::domain {

enum class SeatError : std::uint8_t {
  bad_request,
  unknown_verb,
  line_too_long,
  unsupported_proto,
  invalid_code,
  rate_limited,
  no_seats,
  license_expired,
  license_not_started,
  end_of_life,
  product_not_licensed,
  lease_unknown,
  unavailable,
  internal,
  lease_revoked,  // protocol 1.1: released by an administrator or by End of Life
  not_allowed,    // protocol 1.1: the site policy keeps the holder from the product
  over_limit,     // protocol 1.1: a max rule of the site policy is reached (carries limit=N)
};

struct SeatErrorInfo {
  SeatError error;
  std::string_view wire;  // the code after ERR, and the HTTP body's error.code
  int http_status;        // on the HTTP seat routes (docs/admin-api.md)
  // An answer with this error counts against the peer's invalid-code budget (net/rate_limiter):
  // it tells a guesser that a code was wrong.
  bool charges_invalid_code_budget;
  // The answer carries `retry_after=S`; over HTTP it also becomes a Retry-After header.
  bool retry_after;
};

// One row per SeatError, in the enum's order (checked below). The connection-level codes
// (unknown_verb, line_too_long, unsupported_proto) are sent by the seat listener only; their
// HTTP status is there for completeness, no HTTP route answers them.
inline constexpr std::array<SeatErrorInfo, 17> kSeatErrors = {{
    {SeatError::bad_request, "bad_request", 400, false, false},
    {SeatError::unknown_verb, "unknown_verb", 400, false, false},
    {SeatError::line_too_long, "line_too_long", 400, false, false},
    {SeatError::unsupported_proto, "unsupported_proto", 400, false, false},
    {SeatError::invalid_code, "invalid_code", 404, true, false},
    {SeatError::rate_limited, "rate_limited", 429, false, true},
    {SeatError::no_seats, "no_seats", 409, false, false},
    {SeatError::license_expired, "license_expired", 403, false, false},
    {SeatError::license_not_started, "license_not_started", 403, false, false},
    {SeatError::end_of_life, "end_of_life", 403, false, false},
    {SeatError::product_not_licensed, "product_not_licensed", 403, false, false},
    {SeatError::lease_unknown, "lease_unknown", 404, false, false},
    {SeatError::unavailable, "unavailable", 503, false, false},
    {SeatError::internal, "internal", 500, false, false},
    {SeatError::lease_revoked, "lease_revoked", 410, false, false},
    {SeatError::not_allowed, "not_allowed", 403, false, false},
    {SeatError::over_limit, "over_limit", 409, false, false},
}};

constexpr const SeatErrorInfo& info(SeatError error) {
  return kSeatErrors[static_cast<std::size_t>(error)];
}

constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < kSeatErrors.size(); ++i)
    if (static_cast<std::size_t>(kSeatErrors[i].error) != i) return false;
  return true;
}
static_assert(table_in_enum_order(), "kSeatErrors must list the errors in the enum's order");
static_assert(kSeatErrors.size() == static_cast<std::size_t>(SeatError::over_limit) + 1,
              "every SeatError needs its row in kSeatErrors");

constexpr std::string_view to_string(SeatError error) {
  return info(error).wire;
}

// What a family plugin's denial answers. `none` is no denial at all; a plugin that denies with
// it (or with a value this server does not know) broke the SDK's contract: `internal`.
constexpr SeatError seat_error_of(sdk::Denial denial) {
  switch (denial) {
    case sdk::Denial::no_seats:
      return SeatError::no_seats;
    case sdk::Denial::bad_request:
      return SeatError::bad_request;
    case sdk::Denial::product_not_licensed:
      return SeatError::product_not_licensed;
    case sdk::Denial::none:
      break;
  }
  return SeatError::internal;
}

}  // namespace lmp::domain
