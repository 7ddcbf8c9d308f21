// The usage report operation: the caller's scope, the range, then the records streamed through
// the report rule, or the hourly roll-ups merged (domain/usage_rollups.cpp).
#include "domain/usage_reports.hpp"

#include <limits>

#include "domain/domain_error.hpp"
#include "domain/lease_repository.hpp"
#include "domain/license_view.hpp"
#include "domain/usage_rollups.hpp"

namespace lmp::domain {

namespace {

// A live lease as the record of its use.
UsageRecord record_of(const Lease& lease) {
  UsageRecord record;
  record.at_ms = lease.checked_out_ms;
  record.event = usage_event::kCheckout;
  record.license_id = lease.license_id;
  record.product_code = lease.product_code;
  record.customer_id = lease.customer_id;
  record.account_id = lease.account_id;
  record.scope = lease.scope;
  record.units = lease.units;
  record.user = lease.user;
  record.host = lease.host;
  record.peer = lease.peer;
  record.lease_ref = lease.ref;
  return record;
}

}  // namespace

CheckedUsageQuery check_usage_query(const Context& ctx, const UsageReportQuery& query) {
  // Whoever may view a license may see its use.
  const auto view = license_view(ctx, query.customer_id, query.account_id);
  const auto group = usage_group_named(query.group);
  if (!group) throw bad_request("group must be license, product, customer, partner, user or host");
  const auto period = usage_period_named(query.period);
  if (!period) throw bad_request("period must be all, hour, day or month");
  if (!query.from_ms) throw bad_request("from is required");
  CheckedUsageQuery checked;
  checked.group = *group;
  checked.period = *period;
  checked.from_ms = *query.from_ms;
  checked.to_ms = query.to_ms.value_or(ctx.now_ms);
  if (checked.to_ms <= checked.from_ms) throw bad_request("to must be after from");
  if (UsageReportBuilder::period_count(checked.period, checked.from_ms, checked.to_ms) >
      kMaxUsagePeriods)
    throw bad_request("the report has more than " + std::to_string(kMaxUsagePeriods) +
                      " periods; narrow its range or choose a longer period");
  if (!view) return checked;
  UsageFilter filter;
  filter.scope_prefix = view->scope_prefix;
  filter.customer_id = view->customer_id;
  filter.license_id = query.license_id;
  filter.product = query.product;
  checked.filter = std::move(filter);
  return checked;
}

void each_in_use_at(UnitOfWork& db, const UsageFilter& filter, std::int64_t at_ms,
                    const UsageVisitor& visit, bool carried) {
  if (carried) {
    db.usage().each_in_range(filter, at_ms, at_ms + 1, [&](const UsageRecord& r) {
      if (r.since_ms && *r.since_ms < at_ms) visit(r);
    });
  }
  db.usage().each_ended_after(filter, at_ms, visit);
  LeaseFilter leases{
      filter.scope_prefix, filter.license_id, filter.customer_id, filter.product, "", "",
      std::nullopt};
  LeasePage page{"", 1000};
  // "Live at" the earliest time: every lease row, expired or not.
  constexpr std::int64_t kAnyExpiry = std::numeric_limits<std::int64_t>::min();
  for (;;) {
    const auto live = db.leases().list(leases, page, kAnyExpiry);
    for (const auto& lease : live)
      if (lease.checked_out_ms < at_ms) visit(record_of(lease));
    if (live.size() < static_cast<std::size_t>(page.limit)) break;
    page.after = live.back().ref;
  }
}

std::vector<UsageRow> usage_report_from_records(const Context& ctx, const UsageReportQuery& query) {
  const auto checked = check_usage_query(ctx, query);
  if (!checked.filter) return {};
  const UsageFilter& filter = *checked.filter;
  UsageReportBuilder report(checked.group, checked.period, checked.from_ms, checked.to_ms,
                            ctx.now_ms, kMaxUsageRows);
  each_in_use_at(ctx.db, filter, checked.from_ms,
                 [&](const UsageRecord& r) { report.in_use_at_start(r); });
  ctx.db.usage().each_in_range(filter, checked.from_ms, checked.to_ms,
                               [&](const UsageRecord& r) { report.add(r); });
  return report.finish();
}

std::vector<UsageRow> usage_report(const Context& ctx, const UsageReportQuery& query) {
  const auto checked = check_usage_query(ctx, query);
  if (!checked.filter) return {};
  return usage_report_rolled(ctx, checked);
}

}  // namespace lmp::domain
