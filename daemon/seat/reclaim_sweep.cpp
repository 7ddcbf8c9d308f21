// One reclaim sweep.
#include "seat/reclaim_sweep.hpp"

#include <string>

#include "core/log.hpp"
#include "storage/seat_store.hpp"

namespace lmp::seat {

std::size_t ReclaimSweep::run(storage::SeatStore& store, std::int64_t now_ms, LeaseEvents& events) {
  const auto reclaimed = store.reclaim_expired(now_ms, limit_);
  for (const auto& lease : reclaimed)
    events.lease_changed(LeaseChange::reclaimed, lease, now_ms, store);
  // Released leases whose `lease_revoked` answer has run its time answer `lease_unknown` again.
  store.forget_revoked_leases(now_ms, limit_);
  pruned_ = store.prune_usage(now_ms - usage_retention_ms_, kUsagePruneStep);
  if (!reclaimed.empty())
    log::debug("leases_reclaimed", {{"count", std::to_string(reclaimed.size())}});
  next_ms_ = static_cast<int>(reclaimed.size()) >= limit_ ? now_ms : now_ms + interval_ms_;
  return reclaimed.size();
}

}  // namespace lmp::seat
