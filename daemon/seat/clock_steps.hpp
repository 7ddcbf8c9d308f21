// Steps of the wall clock (an administrator or a broken NTP setting it): told apart from time
// passing by comparing the wall clock's progress with the monotonic clock's, and carried over to
// the stored lease expiries so that every lease keeps the lifetime it had: a step forward expires
// nothing, a step back keeps nothing longer (docs/architecture.md, "Time").
#pragma once

#include <cstdint>

#include "core/clock.hpp"

namespace lmp::storage {
class SeatStore;
}

namespace lmp::seat {

// Thread safety: none; owned by the storage thread.
class ClockStepWatch {
 public:
  void start(const ClockReading& reading) { last_ = reading; }
  // Compares `now` with the reading before it. A step (a second or more) is logged
  // (`clock_jump`), added to the pending shift and returned; otherwise 0.
  std::int64_t notice(const ClockReading& now);
  // The step not yet applied to the stored lease expiries.
  std::int64_t pending_shift() const { return unshifted_ms_; }
  // The transaction that moved the expiries by `delta_ms` committed (a failed one leaves the
  // shift to the next).
  void shift_applied(std::int64_t delta_ms) { unshifted_ms_ -= delta_ms; }

 private:
  ClockReading last_;
  std::int64_t unshifted_ms_ = 0;
};

// Moves every stored lease's expiry by `delta_ms` inside the store's open transaction, permanent
// allocations excepted. On a shared database nothing is moved: its leases are every instance's,
// and a step of this machine's clock says nothing about the others' (keep them in NTP sync).
void shift_lease_expiries(storage::SeatStore& store, std::int64_t delta_ms, bool shared_database);

}  // namespace lmp::seat
