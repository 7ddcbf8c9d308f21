// A live lease as the admin API shows it: who holds units of which license, since when, and which
// server instance granted it. The seat path keeps leases (storage/seat_store.hpp); the domain
// only reads them and asks the seat engine to release one (domain/live_seats.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace lmp::domain {

struct Lease {
  // The lease's public reference (16 hex digits). Never the lease id the endpoint holds: that id
  // is the endpoint's credential for heartbeats and checkins, and stays with the seat path.
  std::string ref;
  std::int64_t license_id = 0;
  std::string product_code;
  std::int64_t customer_id = 0;
  std::optional<std::int64_t> account_id;  // the account its customer is under
  std::string scope;                       // its customer's scope (Customer::scope())
  std::int64_t units = 0;
  std::string user;  // as the checkout named them; empty when it did not
  std::string host;
  std::string peer;  // the client address the checkout came from
  std::int64_t checked_out_ms = 0;
  std::int64_t heartbeat_ms = 0;  // the last heartbeat (or the checkout, or its last repeat)
  std::int64_t expires_ms = 0;
  bool borrowed = false;
  // Checked in, and kept for its holder until `expires_ms` (a site policy's linger).
  bool lingering = false;
  std::string instance;  // the lmpd instance that granted it (`server.instance_id`)
};

}  // namespace lmp::domain
