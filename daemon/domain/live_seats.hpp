// What the admin operations ask of the seat engine, which owns the leases and the waiting
// checkouts (a port: the seat service implements it, seat/seat_service.hpp).
#pragma once

#include <cstdint>
#include <string>

#include "domain/audit_record.hpp"

namespace lmp::domain {

// An administrator's release of a lease, checked by the domain (domain/leases.hpp) and carried
// out by the seat engine in a transaction of its own, with its audit record.
struct LeaseRelease {
  std::string ref;              // the lease's public reference
  std::int64_t license_id = 0;  // the license it was found on: another lease is not released
  std::string reason;
  AuditRecord audit;  // appended in the release's transaction, with the engine's time
};

// Thread safety: callable from the admin worker while the seat engine runs.
class LiveSeats {
 public:
  virtual ~LiveSeats() = default;

  // The checkouts of the license waiting for a unit (`wait=`) at this instance now. Waiters
  // live in the instance that received them: other instances on a shared database have their
  // own.
  virtual std::int64_t waiting(std::int64_t license_id) const = 0;

  // Releases the live lease: its units return at once (this instance's waiters are served in
  // the same transaction; other instances' within their reclaim interval), its id answers
  // `lease_revoked` for at least a lease duration, and the audit record is written with it.
  // Blocks until the release is durable. False when the lease is no longer live (checked in,
  // expired, released meanwhile); throws StoreError when the engine cannot (storage failure,
  // stopping).
  virtual bool release(const LeaseRelease& order) = 0;
};

}  // namespace lmp::domain
