// The usage records in SQL for the reports: read through the time index, a bounded batch at a
// time in the order written. Read only: the seat path writes them (storage/sql_seat_store.cpp).
#include <string>

#include "storage/sql_repositories.hpp"
#include "storage/sql_rows.hpp"

namespace lmp::storage {
namespace {

// One record with the text its event names (UsageRecord only views it).
struct StoredUsage {
  std::int64_t id = 0;
  std::string event;
  domain::UsageRecord record;
};

struct UsageColumns {
  using Row = StoredUsage;
  static constexpr std::string_view kRead = "read usage records";
  static constexpr std::string_view kSelect =
      "SELECT id, at_ms, event, license_id, product_code, customer_id, account_id, scope, units,"
      " user_name, host, peer, lease_ref, code, since_ms FROM usage_records";

  void bind(soci::statement& st, StoredUsage& r) {
    auto& u = r.record;
    bind_columns(st, r.id, u.at_ms, r.event, u.license_id, u.product_code, u.customer_id, account,
                 u.scope, u.units, u.user, u.host, u.peer, u.lease_ref, u.code, since);
  }
  StoredUsage finish(StoredUsage r) const {
    r.record.account_id = account.get();
    r.record.since_ms = since.get();
    return r;
  }

  NullableId account;
  NullableId since;
};

// The filter's conditions; every one is always bound, an absent one written to match every row.
constexpr std::string_view kFiltered =
    " AND scope LIKE :pattern AND (:any_license = 1 OR license_id = :license)"
    " AND (:any_customer = 1 OR customer_id = :customer)"
    " AND (:any_product = 1 OR product_code = :product)";

// Enough rows per statement that a statement's cost is small, few enough to hold at once.
constexpr int kBatch = 2000;

class SqlUsageRepository final : public domain::UsageRepository {
 public:
  explicit SqlUsageRepository(soci::session& sql) : sql_(sql) {}

  void each_in_range(const domain::UsageFilter& filter, std::int64_t from_ms, std::int64_t to_ms,
                     const domain::UsageVisitor& visit) override {
    const Bound b(filter);
    // After the last row visited, in (at_ms, id) order: the time index keeps ids in order
    // within one time on SQLite, and the sort of one batch is small on PostgreSQL.
    std::int64_t last_at = from_ms;
    std::int64_t last_id = -1;
    for (;;) {
      auto rows = select_rows<UsageColumns>(
          sql_,
          " WHERE at_ms >= :last_at AND at_ms < :to AND (at_ms > :last_at2 OR id > :last_id)" +
              std::string(kFiltered) + " ORDER BY at_ms, id LIMIT :limit",
          last_at, to_ms, last_at, last_id, b.pattern, b.any_license, b.license, b.any_customer,
          b.customer, b.any_product, filter.product, kBatch);
      for (auto& row : rows) {
        row.record.event = row.event;
        visit(row.record);
      }
      if (rows.size() < static_cast<std::size_t>(kBatch)) return;
      last_at = rows.back().record.at_ms;
      last_id = rows.back().id;
    }
  }

  void each_ended_after(const domain::UsageFilter& filter, std::int64_t at_ms,
                        const domain::UsageVisitor& visit) override {
    const Bound b(filter);
    const std::string checkin(domain::usage_event::kCheckin);
    const std::string reclaim(domain::usage_event::kReclaim);
    const std::string release(domain::usage_event::kRelease);
    const std::string end_of_life(domain::usage_event::kEndOfLife);
    // At most one row per lease in use at `at_ms`: no more than the leases live then.
    auto rows = select_rows<UsageColumns>(
        sql_,
        " WHERE at_ms > :at AND since_ms < :at2"
        " AND event IN (:checkin, :reclaim, :release, :end_of_life)" +
            std::string(kFiltered) + " ORDER BY at_ms, id",
        at_ms, at_ms, checkin, reclaim, release, end_of_life, b.pattern, b.any_license, b.license,
        b.any_customer, b.customer, b.any_product, filter.product);
    for (auto& row : rows) {
      row.record.event = row.event;
      visit(row.record);
    }
  }

 private:
  struct Bound {
    explicit Bound(const domain::UsageFilter& filter)
        : pattern(prefix_pattern(filter.scope_prefix)),
          any_license(filter.license_id ? 0 : 1),
          license(filter.license_id.value_or(0)),
          any_customer(filter.customer_id ? 0 : 1),
          customer(filter.customer_id.value_or(0)),
          any_product(filter.product.empty() ? 1 : 0) {}
    std::string pattern;
    int any_license;
    std::int64_t license;
    int any_customer;
    std::int64_t customer;
    int any_product;
  };

  soci::session& sql_;
};

}  // namespace

std::unique_ptr<domain::UsageRepository> sql_usage_repository(soci::session& sql) {
  return std::make_unique<SqlUsageRepository>(sql);
}

}  // namespace lmp::storage
