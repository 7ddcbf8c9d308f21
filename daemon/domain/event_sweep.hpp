// The event sweep (docs/events.md): raises the events that time makes due (licenses expiring,
// entering grace, expired; products' End of Sale and End of Life approaching, their denials past
// the threshold) and renews the licenses with auto-renewal that reach their expiry, once across
// every instance on one database. Runs on the admin worker beside the End-of-Life sweep.
#pragma once

#include <cstdint>

#include "domain/product.hpp"
#include "domain/unit_of_work.hpp"

namespace lmp::domain {

// The first sweep of a database looks this far back, so a license that expired a moment before
// the upgrade is still told of, while years of history are not.
inline constexpr std::int64_t kFirstEventSweepLookbackMs = 86'400'000;

// One sweep in one write transaction, by the server: locks the sweep's mark (the time up to which
// sweeps have looked), renews the licenses with auto-renewal whose expiry lies in (mark, now]
// (domain/auto_renewal.hpp), raises the events due in it and moves the mark to `now_ms`. A clock
// set back renews and raises nothing until it passes the mark again. `denials_per_hour` is the
// denials threshold (0: off). Storage failures are logged and left to the next sweep (nothing is
// lost: the mark did not move). Returns the events raised.
int sweep_events(UnitOfWork& db, const Products& products, std::int64_t now_ms,
                 std::int64_t denials_per_hour);

}  // namespace lmp::domain
