// The usage records of the seat path: an observer of lease changes (seat_rules.hpp) that writes
// one record per checkout, repeated checkout, checkin, expiry reclaim and release, in the batch's
// transaction, so that a crash can neither lose a record nor leave one without its change.
#pragma once

#include "seat/seat_rules.hpp"

namespace lmp::seat {

// Thread safety: none needed; the engine calls it on its storage thread only.
class UsageRecorder final : public LeaseEvents {
 public:
  // Writes the record through `store` (LeaseEvents' contract): a StoreError rolls the batch back.
  // Heartbeats (extended) are not recorded; End-of-Life deletions (purged) are recorded by the
  // deletion itself, in its own transaction.
  void lease_changed(LeaseChange change, const storage::LeaseRecord& lease, std::int64_t now_ms,
                     storage::SeatStore& store) override;
};

}  // namespace lmp::seat
