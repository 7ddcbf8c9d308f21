// The usage report operation: the caller's scope, the range, then the records streamed through
// the report rule.
#include "domain/usage_reports.hpp"

#include "domain/domain_error.hpp"
#include "domain/lease_repository.hpp"
#include "domain/license_view.hpp"

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

std::vector<UsageRow> usage_report(const Context& ctx, const UsageReportQuery& query) {
  // Whoever may view a license may see its use.
  const auto view = license_view(ctx, query.customer_id, query.account_id);
  const auto group = usage_group_named(query.group);
  if (!group) throw bad_request("group must be license, product, customer, partner, user or host");
  const auto period = usage_period_named(query.period);
  if (!period) throw bad_request("period must be all, hour, day or month");
  if (!query.from_ms) throw bad_request("from is required");
  const std::int64_t from_ms = *query.from_ms;
  const std::int64_t to_ms = query.to_ms.value_or(ctx.now_ms);
  if (to_ms <= from_ms) throw bad_request("to must be after from");
  if (UsageReportBuilder::period_count(*period, from_ms, to_ms) > kMaxUsagePeriods)
    throw bad_request("the report has more than " + std::to_string(kMaxUsagePeriods) +
                      " periods; narrow its range or choose a longer period");

  if (!view) return {};
  UsageFilter filter;
  filter.scope_prefix = view->scope_prefix;
  filter.customer_id = view->customer_id;
  filter.license_id = query.license_id;
  filter.product = query.product;

  UsageReportBuilder report(*group, *period, from_ms, to_ms, ctx.now_ms, kMaxUsageRows);
  // What was in use at `from`: the leases that ended since, then those still live.
  ctx.db.usage().each_ended_after(filter, from_ms,
                                  [&](const UsageRecord& r) { report.in_use_at_start(r); });
  LeaseFilter leases{
      filter.scope_prefix, filter.license_id, filter.customer_id, filter.product, "", "",
      std::nullopt};
  LeasePage page{"", 1000};
  for (;;) {
    const auto live = ctx.db.leases().list(leases, page, ctx.now_ms);
    for (const auto& lease : live)
      if (lease.checked_out_ms < from_ms) report.in_use_at_start(record_of(lease));
    if (live.size() < static_cast<std::size_t>(page.limit)) break;
    page.after = live.back().ref;
  }
  ctx.db.usage().each_in_range(filter, from_ms, to_ms,
                               [&](const UsageRecord& r) { report.add(r); });
  return report.finish();
}

}  // namespace lmp::domain
