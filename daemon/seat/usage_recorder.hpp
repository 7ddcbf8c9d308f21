// The usage records of the seat path: an observer of lease changes and of checkouts
// (seat_rules.hpp) that writes one record per checkout, repeated checkout, checkin, expiry reclaim
// and release, per denial, and per start and end of a wait, in the batch's transaction, so that a
// crash can neither lose a record nor leave one without its change.
#pragma once

#include <memory>

#include "seat/seat_rules.hpp"

namespace lmp::domain {
struct UsageRecord;
}  // namespace lmp::domain

namespace lmp::seat {

class SeatMetrics;

// Thread safety: none needed; the engine calls it on its storage thread only.
class UsageRecorder final : public LeaseEvents, public CheckoutEvents {
 public:
  // `metrics` (may be null) counts the records written, by event, once their batch commits.
  explicit UsageRecorder(std::shared_ptr<SeatMetrics> metrics = nullptr);

  // Writes the record through `store` (LeaseEvents' contract): a StoreError rolls the batch back.
  // Heartbeats (extended) are not recorded; End-of-Life deletions (purged) are recorded by the
  // deletion itself, in its own transaction.
  void lease_changed(LeaseChange change, const storage::LeaseRecord& lease, std::int64_t now_ms,
                     storage::SeatStore& store) override;

  // A `denial` with the error's code, `wait_started` and `wait_ended` with its outcome
  // (domain::wait_outcome), each with the units, user, host and peer the checkout named.
  void checkout_denied(const SeatCommand& command, std::int64_t license_id, SeatError error,
                       std::int64_t now_ms, storage::SeatStore& store) override;
  void wait_started(const SeatCommand& command, std::int64_t license_id, std::int64_t now_ms,
                    storage::SeatStore& store) override;
  void wait_ended(const SeatCommand& command, std::int64_t license_id, WaitEnd end,
                  std::int64_t since_ms, std::int64_t now_ms, storage::SeatStore& store) override;

 private:
  void write(const domain::UsageRecord& record, storage::SeatStore& store);

  std::shared_ptr<SeatMetrics> metrics_;
};

}  // namespace lmp::seat
