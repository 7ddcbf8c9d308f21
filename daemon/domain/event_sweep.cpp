// The event sweep: what time made due since the last sweep, raised once. On PostgreSQL the
// mark's row lock makes the sweeps of several instances take turns, and the next one finds the
// mark moved; the events' dedupe keys back that up.
#include "domain/event_sweep.hpp"

#include <set>
#include <string>

#include "core/log.hpp"
#include "domain/auto_renewal.hpp"
#include "domain/denial_events.hpp"
#include "domain/event_rules.hpp"
#include "domain/events.hpp"
#include "domain/product_lifecycle.hpp"
#include "domain/store_error.hpp"

namespace lmp::domain {

int sweep_events(UnitOfWork& db, const Products& products, std::int64_t now_ms,
                 std::int64_t denials_per_hour) {
  const Caller server = Caller::server();
  const Context ctx{db, server, now_ms, products};
  try {
    Transaction write(db, TransactionMode::write);
    const std::int64_t mark = db.events().lock_sweep_mark();
    if (mark >= now_ms) return 0;
    const std::int64_t after = mark == 0 ? now_ms - kFirstEventSweepLookbackMs : mark;
    int raised = 0;
    auto renew = [&](License& license) {
      auto renewal = auto_renew(ctx, license);
      if (!renewal) return;
      if (raise_event(db, renewal->event)) {
        ++raised;
        if (!renewal->renewed)  // once per expiry: the retries' events are the same one
          log::warning("auto_renewal_failed", {{"license", std::to_string(license.id)},
                                               {"event", renewal->event.payload_json}});
      }
      license = renewal->license;
    };
    std::set<std::int64_t> tried;
    for (auto license : db.licenses().with_event_dates_in(after, now_ms, kDayMs)) {
      // Renewed first: a license that renews does not enter its grace or expire at the old date.
      if (auto_renewal_due(license, after, now_ms)) {
        renew(license);
        tried.insert(license.id);
      }
      for (const auto& event : license_events(license, after, now_ms))
        if (raise_event(db, event)) ++raised;
    }
    // A renewal that failed is tried again while the license is in its grace: a partner who
    // tops its pool up (or a plan made again) renews it from the old expiry, with no gap.
    for (auto license : db.licenses().auto_renewing_in_grace(now_ms))
      if (!tried.count(license.id) && auto_renewal_retry_due(license, now_ms)) renew(license);
    const auto rows = db.lifecycles().all();
    std::set<std::string> codes;
    for (const auto& product : products.all()) codes.insert(product.code);
    for (const auto& row : rows) codes.insert(row.product_code);
    const auto root = db.accounts().root();
    const std::string root_scope = root ? root->path : "/";
    for (const auto& code : codes)
      for (const auto& event : product_events(code, product_lifecycle(rows, products, code, now_ms),
                                              root_scope, now_ms))
        if (raise_event(db, event)) ++raised;
    for (const auto& event : denial_events(db, denials_per_hour, after, now_ms, root_scope))
      if (raise_event(db, event)) ++raised;
    db.events().set_sweep_mark(now_ms);
    write.commit();
    if (raised > 0) log::info("events_raised", {{"count", std::to_string(raised)}});
    return raised;
  } catch (const StoreError& ex) {
    log::error("event_sweep_failed", {{"error", ex.what()}});
    return 0;
  }
}

}  // namespace lmp::domain
