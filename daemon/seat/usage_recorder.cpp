// One usage record per lease change that starts or ends a use of units.
#include "seat/usage_recorder.hpp"

#include <optional>
#include <string_view>

#include "storage/seat_store.hpp"

namespace lmp::seat {
namespace {

namespace event = domain::usage_event;

// The event recorded for `change`; nullopt for a change that is not recorded here.
std::optional<std::string_view> event_of(LeaseChange change) {
  switch (change) {
    case LeaseChange::granted:
      return event::kCheckout;
    case LeaseChange::reused:
      return event::kReused;
    case LeaseChange::released:
      return event::kCheckin;
    case LeaseChange::reclaimed:
      return event::kReclaim;
    case LeaseChange::revoked:
      return event::kRelease;
    case LeaseChange::extended:
    case LeaseChange::purged:
    case LeaseChange::lingering:  // still in use: its use ends when the linger does
      break;
  }
  return std::nullopt;
}

bool ends_the_lease(LeaseChange change) {
  return change == LeaseChange::released || change == LeaseChange::reclaimed ||
         change == LeaseChange::revoked;
}

}  // namespace

void UsageRecorder::lease_changed(LeaseChange change, const storage::LeaseRecord& lease,
                                  std::int64_t now_ms, storage::SeatStore& store) {
  const auto recorded = event_of(change);
  if (!recorded) return;
  domain::UsageRecord record;
  record.at_ms = now_ms;
  record.event = *recorded;
  record.license_id = lease.license_id;
  record.product_code = lease.product_code;
  // The license row is in memory on SQLite (the caching store); a read on PostgreSQL.
  if (auto license = store.find_license(lease.license_id)) {
    record.customer_id = license->customer_id;
    record.scope = license->scope;
    record.account_id = domain::account_of_scope(license->scope);
  }
  record.units = lease.units;
  record.user = lease.user;
  record.host = lease.host;
  record.peer = lease.peer;
  record.lease_ref = lease.ref;
  if (ends_the_lease(change)) record.since_ms = lease.issued_at_ms;
  store.append_usage(record);
}

}  // namespace lmp::seat
