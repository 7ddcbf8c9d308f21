// One slice of the units-held consistency check.
#include "seat/units_held_check.hpp"

#include <string>

#include "core/log.hpp"
#include "storage/seat_store.hpp"

namespace lmp::seat {

void UnitsHeldCheck::run(storage::SeatStore& store, std::int64_t now_ms) {
  pending_.clear();
  const auto slice = store.units_held_counts(after_, kSlice);
  const bool last = static_cast<int>(slice.size()) < kSlice;
  // Differences known in the range just compared are found again below, or are gone (their
  // license deleted, say).
  known_.erase(known_.upper_bound(after_),
               last ? known_.end() : known_.upper_bound(slice.back().license_id));
  after_ = last ? 0 : slice.back().license_id;
  for (const auto& count : slice) {
    if (count.counter == count.leases) {
      reported_.erase(count.license_id);
      continue;
    }
    const Counts counts{count.counter, count.leases};
    known_[count.license_id] = counts;
    if (auto it = reported_.find(count.license_id); it != reported_.end() && it->second == counts)
      continue;
    const std::string license = std::to_string(count.license_id);
    log::error("units_held_mismatch",
               {{"license", license},
                {"units_held", std::to_string(count.counter)},
                {"leases_units", std::to_string(count.leases)},
                {"effect", "checkouts on this license count units_held; it is not corrected"},
                {"hint", "docs/scale-out.md, \"Units held\""}});
    domain::AuditRecord audit;
    audit.at_ms = now_ms;
    audit.actor_scope = "server";
    if (auto row = store.find_license(count.license_id)) audit.scope = row->scope;
    audit.action = "license.units_held_mismatch";
    audit.object = "license:" + license;
    audit.after_json = "{\"units_held\":" + std::to_string(count.counter) +
                       ",\"leases_units\":" + std::to_string(count.leases) + "}";
    store.append_audit(audit);
    pending_[count.license_id] = counts;
  }
}

void UnitsHeldCheck::committed() {
  for (const auto& [license, counts] : pending_) reported_[license] = counts;
  pending_.clear();
}

}  // namespace lmp::seat
