// What the admin operations ask of the seat engine, which owns the leases and the waiting
// checkouts (a port: the seat service implements it, seat/live_seats.hpp).
#pragma once

#include <cstdint>

namespace lmp::domain {

// Thread safety: callable from the admin worker while the seat engine runs.
class LiveSeats {
 public:
  virtual ~LiveSeats() = default;

  // The checkouts of the license waiting for a unit (`wait=`) at this instance now. Waiters
  // live in the instance that received them: other instances on a shared database have their
  // own.
  virtual std::int64_t waiting(std::int64_t license_id) const = 0;
};

}  // namespace lmp::domain
