// An event of the outbox (docs/events.md): something a site wants to be told of, stored with a
// random id in the transaction that decided it, listed by the admin API and sent to webhooks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lmp::domain {

// The types, as the API and the webhooks spell them.
namespace event_type {
inline constexpr std::string_view kLicenseExpiring = "license.expiring";
inline constexpr std::string_view kLicenseGraceEntered = "license.grace_entered";
inline constexpr std::string_view kLicenseExpired = "license.expired";
inline constexpr std::string_view kLicenseRenewed = "license.renewed";
inline constexpr std::string_view kLicenseRenewalFailed = "license.renewal_failed";
inline constexpr std::string_view kProductEndOfSaleApproaching = "product.end_of_sale_approaching";
inline constexpr std::string_view kProductEndOfLifeApproaching = "product.end_of_life_approaching";
inline constexpr std::string_view kProductDenialsExceeded = "product.denials_exceeded";
}  // namespace event_type

struct Event {
  std::int64_t seq = 0;  // the order events were stored in (pages, deliveries)
  std::string id;        // "evt_" and 32 random hex digits: what receivers de-duplicate by
  std::string type;
  std::int64_t at_ms = 0;
  std::string scope;         // the subtree it belongs to: seen by the accounts above it
  std::string payload_json;  // a JSON object, its fields by type (docs/events.md)
};

// An event about to be stored. `dedupe_key` names what it tells ("license:7:expiring:<expiry>"):
// a second event with the same key is never stored, whichever instance raises it.
struct NewEvent {
  std::string type;
  std::int64_t at_ms = 0;
  std::string scope;
  std::string payload_json;
  std::string dedupe_key;
};

}  // namespace lmp::domain
