// Where later seat rules plug into the engine without touching its decisions: gates that every
// checkout passes before anything is granted (site policy, borrowing limits), and observers told
// of every lease change and of every refused or waiting checkout inside the batch's transaction
// (usage records). The default, an empty SeatRules, does nothing. See docs/architecture.md,
// "Adding a seat rule".
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "seat/seat_command.hpp"

namespace lmp::storage {
class SeatStore;
struct LicenseRecord;
struct LeaseRecord;
}  // namespace lmp::storage

namespace lmp::seat {

struct CatalogProduct;

// A checkout as a gate sees it: the code found its license, the license is valid, the family
// has identified the holder, and nothing has been counted or granted yet.
struct CheckoutCandidate {
  const SeatCommand& command;
  const storage::LicenseRecord& license;
  const CatalogProduct& product;     // the license's product (for a suite, the suite)
  const CatalogProduct* component;   // the suite's component asked for; nullptr otherwise
  const std::string& holder;         // the family's holder key; empty for an anonymous lease
  const storage::LeaseRecord* held;  // the holder's live lease (a repeated checkout), or nullptr
  std::int64_t now_ms;
};

// A rule that may refuse a checkout before the family decides on it. Runs on the storage thread,
// inside the batch's transaction (it may read through `store`); must not block on anything but
// the store. Returns OK to let the checkout go on, or the answer that refuses it.
class CheckoutGate {
 public:
  virtual ~CheckoutGate() = default;
  virtual SeatResult check(const CheckoutCandidate& checkout, storage::SeatStore& store) = 0;
};

enum class LeaseChange {
  granted,    // a new lease (checkout)
  reused,     // a repeated checkout by the same holder: its lease, with a new expiry
  extended,   // a new expiry (heartbeat)
  released,   // checked in
  reclaimed,  // expired and swept
  purged,     // deleted with its license at its product's End of Life (by the admin worker)
  revoked,    // released by an administrator
  lingering,  // checked in, and held for its holder until its new expiry (a site policy's linger)
};

// Told of every lease change, on the storage thread, inside the transaction that makes it, right
// after the store's write: `lease` as it is after the change (granted, reused, extended) or was
// before it (released, reclaimed, purged, revoked). Rows written through `store` commit or roll
// back with the change. Exceptions other than storage::StoreError must not escape; a StoreError
// rolls the batch back (its requests answer `unavailable`). A step of the wall clock, which moves
// every stored expiry by the same amount, is not a lease change.
class LeaseEvents {
 public:
  virtual ~LeaseEvents() = default;
  virtual void lease_changed(LeaseChange change, const storage::LeaseRecord& lease,
                             std::int64_t now_ms, storage::SeatStore& store) = 0;
};

// How a `wait=` checkout's wait ended.
enum class WaitEnd {
  granted,    // a unit was freed for it
  denied,     // decided again when units were freed, and refused (told to checkout_denied too)
  timed_out,  // its wait time passed: answered no_seats (told to checkout_denied too)
  left,       // its client closed the connection
  stopped,    // the server stopped (written in a transaction of its own as the engine drains)
};

// Told of what becomes of a checkout besides its lease changes: refused, or waiting for a unit.
// Same thread, transaction and error contract as LeaseEvents. `command` is the checkout as the
// client sent it; `license_id` the license its code found (never 0: a checkout whose code found
// none, invalid_code, is not told).
class CheckoutEvents {
 public:
  virtual ~CheckoutEvents() = default;
  // Refused with `error`, for which domain::recorded_as_denial() holds.
  virtual void checkout_denied(const SeatCommand& command, std::int64_t license_id, SeatError error,
                               std::int64_t now_ms, storage::SeatStore& store) = 0;
  // Queued for a unit.
  virtual void wait_started(const SeatCommand& command, std::int64_t license_id,
                            std::int64_t now_ms, storage::SeatStore& store) = 0;
  // Its wait, begun at `since_ms`, is over.
  virtual void wait_ended(const SeatCommand& command, std::int64_t license_id, WaitEnd end,
                          std::int64_t since_ms, std::int64_t now_ms,
                          storage::SeatStore& store) = 0;
};

// How long a checked-in lease stays with its holder before its units are free (a site policy's
// linger): its holder's next checkout within that time takes the same lease back, and nobody
// else gets its units meanwhile. Asked on CHECKIN of a lease that has a holder, on the storage
// thread inside the batch's transaction; 0 frees the units at once.
class CheckinLinger {
 public:
  virtual ~CheckinLinger() = default;
  virtual std::int64_t linger_ms(const storage::LeaseRecord& lease, storage::SeatStore& store) = 0;
};

// The rules in force: gates in the order they are asked (the first refusal answers), observers
// (of lease changes, and of refusals and waits) in the order they are told, and the linger after
// a checkin (none: units are freed at once).
struct SeatRules {
  std::vector<std::shared_ptr<CheckoutGate>> gates;
  std::vector<std::shared_ptr<LeaseEvents>> observers;
  std::vector<std::shared_ptr<CheckoutEvents>> checkout_observers;
  std::shared_ptr<CheckinLinger> linger;
};

}  // namespace lmp::seat
