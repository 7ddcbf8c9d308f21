// One usage record: a seat event kept for the usage reports (domain spec, "Usage records and
// reports"), written in the transaction of the change it describes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/seat_error.hpp"

namespace lmp::domain {

// The events recorded, as stored in `usage_records.event`.
namespace usage_event {
inline constexpr std::string_view kCheckout = "checkout";       // a new lease
inline constexpr std::string_view kReused = "checkout_reused";  // the holder's lease, again
inline constexpr std::string_view kBorrow = "borrow";  // a new borrowed lease (docs/protocol.md)
inline constexpr std::string_view kCheckin = "checkin";
inline constexpr std::string_view kReclaim = "reclaim";        // expired and swept
inline constexpr std::string_view kRelease = "release";        // by an administrator
inline constexpr std::string_view kEndOfLife = "end_of_life";  // deleted with its product
inline constexpr std::string_view kDenial = "denial";  // a checkout refused; `code` says why
inline constexpr std::string_view kWaitStarted = "wait_started";  // a `wait=` checkout queued
inline constexpr std::string_view kWaitEnded = "wait_ended";  // its wait over; `code`: wait_outcome
}  // namespace usage_event

// How a wait ended, as stored in a wait_ended record's `code`.
namespace wait_outcome {
inline constexpr std::string_view kGranted = "granted";  // a unit was freed for it
inline constexpr std::string_view kDenied = "denied";  // decided, and refused (its denial says why)
inline constexpr std::string_view kTimeout = "timeout";    // its wait time passed (and no_seats)
inline constexpr std::string_view kLeft = "left";          // its client closed the connection
inline constexpr std::string_view kShutdown = "shutdown";  // the server stopped
}  // namespace wait_outcome

// Whether a checkout refused with `error`, once its code found its license, is recorded as a
// denial: every refusal but `unavailable` (the server could not decide; nothing was decided
// about the license). Codes that name no license (invalid_code, rate_limited) never get here:
// they are a guessing signal, rate limited and counted, not a use turned away.
constexpr bool recorded_as_denial(SeatError error) {
  return error != SeatError::unavailable && error != SeatError::invalid_code &&
         error != SeatError::rate_limited;
}

struct UsageRecord {
  std::int64_t at_ms = 0;
  std::string_view event;  // one of usage_event
  std::int64_t license_id = 0;
  std::string product_code;
  std::int64_t customer_id = 0;
  std::optional<std::int64_t> account_id;  // the customer's account; none under the root
  std::string scope;                       // the customer's place in the tree (License::scope)
  std::int64_t units = 0;
  std::string user;  // as the checkout named them; "" when it named none
  std::string host;
  std::string peer;
  std::string lease_ref;  // the lease's public reference
  std::string code;       // a denial's error code, a wait_ended's outcome; "" for the others
  // For an event that ends a lease (checkin, reclaim, release, end_of_life): when the lease was
  // checked out, so a report of a range needs no record from before it. For wait_ended: when the
  // wait began.
  std::optional<std::int64_t> since_ms;
};

// The account a customer's scope names last ("/1/2/c7/" is account 2); none for "/c7/".
std::optional<std::int64_t> account_of_scope(std::string_view scope);

}  // namespace lmp::domain
