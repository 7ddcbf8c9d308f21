// One usage record per lease change that starts or ends a use of units, per denial and per start
// and end of a wait.
#include "seat/usage_recorder.hpp"

#include <optional>
#include <string_view>

#include "seat/seat_metrics.hpp"
#include "storage/seat_store.hpp"

namespace lmp::seat {
namespace {

namespace event = domain::usage_event;

// The event recorded for `change`; nullopt for a change that is not recorded here.
std::optional<std::string_view> event_of(LeaseChange change, const storage::LeaseRecord& lease) {
  switch (change) {
    case LeaseChange::granted:
      return lease.borrowed ? event::kBorrow : event::kCheckout;
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

// The license's customer and place in the tree. The license row is in memory on SQLite (the
// caching store); a read on PostgreSQL.
void add_license(domain::UsageRecord& record, std::int64_t license_id, storage::SeatStore& store) {
  record.license_id = license_id;
  if (auto license = store.find_license(license_id)) {
    record.customer_id = license->customer_id;
    record.scope = license->scope;
    record.account_id = domain::account_of_scope(license->scope);
    if (record.product_code.empty()) record.product_code = license->product_code;
  }
}

// A record of `command`, a checkout of `license_id` that holds no lease.
domain::UsageRecord checkout_record(std::string_view recorded, const SeatCommand& command,
                                    std::int64_t license_id, std::int64_t now_ms,
                                    storage::SeatStore& store) {
  domain::UsageRecord record;
  record.at_ms = now_ms;
  record.event = recorded;
  add_license(record, license_id, store);
  record.units = command.units;
  record.user = command.user;
  record.host = command.host;
  record.peer = command.peer;
  return record;
}

std::string_view outcome_of(WaitEnd end) {
  switch (end) {
    case WaitEnd::granted:
      return domain::wait_outcome::kGranted;
    case WaitEnd::denied:
      return domain::wait_outcome::kDenied;
    case WaitEnd::timed_out:
      return domain::wait_outcome::kTimeout;
    case WaitEnd::left:
      return domain::wait_outcome::kLeft;
    case WaitEnd::stopped:
      break;
  }
  return domain::wait_outcome::kShutdown;
}

}  // namespace

UsageRecorder::UsageRecorder(std::shared_ptr<SeatMetrics> metrics) : metrics_(std::move(metrics)) {}

void UsageRecorder::write(const domain::UsageRecord& record, storage::SeatStore& store) {
  store.append_usage(record);
  if (metrics_) metrics_->usage_recorded(record.event);
}

void UsageRecorder::checkout_denied(const SeatCommand& command, std::int64_t license_id,
                                    SeatError error, std::int64_t now_ms,
                                    storage::SeatStore& store) {
  auto record = checkout_record(event::kDenial, command, license_id, now_ms, store);
  record.code = domain::to_string(error);
  write(record, store);
}

void UsageRecorder::wait_started(const SeatCommand& command, std::int64_t license_id,
                                 std::int64_t now_ms, storage::SeatStore& store) {
  write(checkout_record(event::kWaitStarted, command, license_id, now_ms, store), store);
}

void UsageRecorder::wait_ended(const SeatCommand& command, std::int64_t license_id, WaitEnd end,
                               std::int64_t since_ms, std::int64_t now_ms,
                               storage::SeatStore& store) {
  auto record = checkout_record(event::kWaitEnded, command, license_id, now_ms, store);
  record.code = outcome_of(end);
  record.since_ms = since_ms;
  write(record, store);
}

void UsageRecorder::lease_changed(LeaseChange change, const storage::LeaseRecord& lease,
                                  std::int64_t now_ms, storage::SeatStore& store) {
  const auto recorded = event_of(change, lease);
  if (!recorded) return;
  domain::UsageRecord record;
  record.at_ms = now_ms;
  record.event = *recorded;
  record.product_code = lease.product_code;
  add_license(record, lease.license_id, store);
  record.units = lease.units;
  record.user = lease.user;
  record.host = lease.host;
  record.peer = lease.peer;
  record.lease_ref = lease.ref;
  if (ends_the_lease(change)) record.since_ms = lease.issued_at_ms;
  write(record, store);
}

}  // namespace lmp::seat
