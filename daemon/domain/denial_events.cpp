// Counting a clock hour's denials per product (and per partner) against the threshold.
#include "domain/denial_events.hpp"

#include <algorithm>
#include <boost/json/object.hpp>

#include "domain/account_repository.hpp"
#include "domain/denial_repository.hpp"
#include "domain/domain_json.hpp"

namespace lmp::domain {
namespace {

namespace json = boost::json;

// How long before the sweep's mark a denial may be stamped and still commit after that sweep.
constexpr std::int64_t kLateDenialMs = 60'000;

NewEvent denials_event(const DenialRow& row, std::int64_t hour_ms, std::int64_t threshold,
                       std::int64_t until_ms, const std::string& scope) {
  json::object payload{{"product", row.key.product},
                       {"hour", hour_ms / 1000},
                       {"hour_end", (hour_ms + kHourMs) / 1000},
                       {"denials", row.denials},
                       {"units", row.units},
                       {"threshold", threshold}};
  std::string key = "product:" + row.key.product + ":" +
                    std::string(event_type::kProductDenialsExceeded) + ":" +
                    std::to_string(hour_ms);
  if (row.key.account_id) {
    payload["partner"] = *row.key.account_id;
    key += ":account:" + std::to_string(*row.key.account_id);
  }
  NewEvent event;
  event.type = std::string(event_type::kProductDenialsExceeded);
  event.at_ms = until_ms;
  event.scope = scope;
  event.payload_json = to_text(payload);
  event.dedupe_key = std::move(key);
  return event;
}

}  // namespace

std::vector<NewEvent> denial_events(UnitOfWork& db, std::int64_t threshold, std::int64_t after_ms,
                                    std::int64_t until_ms, const std::string& root_scope) {
  std::vector<NewEvent> out;
  if (threshold <= 0 || until_ms <= after_ms) return out;
  const std::int64_t from = std::max(after_ms, until_ms - 24 * kHourMs);
  for (std::int64_t hour = from / kHourMs * kHourMs; hour <= until_ms; hour += kHourMs) {
    // An hour is counted again only when denials came since the last sweep (from a little
    // before its mark: a seat transaction stamped earlier may have committed after that sweep),
    // so a quiet site costs one probe of an index a sweep.
    DenialCount fresh;
    fresh.from_ms = std::max(hour, from - kLateDenialMs);
    fresh.to_ms = std::min(hour + kHourMs, until_ms + 1);
    fresh.limit = 1;
    if (fresh.from_ms >= fresh.to_ms) continue;
    const auto probe = db.denials().count(fresh);
    if (probe.empty() || probe.front().denials == 0) continue;
    DenialCount count;
    count.from_ms = hour;
    count.to_ms = hour + kHourMs;
    count.limit = 100000;
    count.by = {DenialField::product};
    for (const auto& row : db.denials().count(count))
      if (row.denials > threshold)
        out.push_back(denials_event(row, hour, threshold, until_ms, root_scope));
    count.by = {DenialField::product, DenialField::partner};
    for (const auto& row : db.denials().count(count)) {
      if (!row.key.account_id || row.denials <= threshold) continue;
      auto partner = db.accounts().find(*row.key.account_id);
      if (partner) out.push_back(denials_event(row, hour, threshold, until_ms, partner->path));
    }
  }
  return out;
}

}  // namespace lmp::domain
