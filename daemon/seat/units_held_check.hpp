// The consistency check of the units-held counters on a shared PostgreSQL database: each sweep
// compares a slice of licenses' counters with their stored leases and reports a difference.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>

namespace lmp::storage {
class SeatStore;
}

namespace lmp::seat {

// Reports, never repairs: a counter that differs from the leases means something wrote the
// database behind the trigger's back (or a bug), and whoever looks into it needs the evidence as
// it was. A fix is the DBA's one statement, docs/scale-out.md "Units held". Each difference is
// reported once (an error log line `units_held_mismatch` and an audit record
// `license.units_held_mismatch`, written with the sweep's transaction) until it changes or goes
// away; the number of licenses that differ is a gauge (seat_metrics.hpp).
// Thread safety: none; owned by the storage thread.
class UnitsHeldCheck {
 public:
  // Licenses compared per sweep: one statement over their leases, by index. A sweep a second
  // covers 64,000 licenses in about 17 minutes.
  static constexpr int kSlice = 64;

  // Compares the next slice inside the store's open transaction (wrapping round after the last
  // license) and reports the differences not reported yet.
  void run(storage::SeatStore& store, std::int64_t now_ms);
  // The transaction of the last run() committed: its reports are made (else run() makes them
  // again).
  void committed();
  // Licenses whose counter differed from their leases when last compared.
  std::size_t mismatched() const { return known_.size(); }

 private:
  using Counts = std::pair<std::int64_t, std::int64_t>;  // counter, sum over the leases
  std::int64_t after_ = 0;                               // the last license compared
  std::map<std::int64_t, Counts> known_;                 // differences found, by license
  std::map<std::int64_t, Counts> reported_;              // those whose report committed
  std::map<std::int64_t, Counts> pending_;  // reported by the last run(), not committed yet
};

}  // namespace lmp::seat
