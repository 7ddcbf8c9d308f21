// The usage records in SQL for the reports: read in time order through the time index (on SQLite
// the ids), a bounded batch per execution of one prepared statement, each row handed on as it is
// fetched.
// Read only: the seat path writes them (storage/sql_seat_store.cpp).
#include <algorithm>
#include <string>

#include "storage/sql_repositories.hpp"
#include "storage/sql_rows.hpp"
#include "storage/sql_usage_filter.hpp"
#include "storage/usage_record_ids.hpp"

namespace lmp::storage {
namespace {

constexpr std::string_view kRead = "read usage records";

// The columns a report uses (not the peer or code; the scope for the roll-ups), bound once to
// one row.
struct UsageRow {
  std::int64_t id = 0;
  std::string event;
  domain::UsageRecord record;
  NullableId account;
  NullableId since;

  static constexpr std::string_view kSelect =
      "SELECT id, at_ms, event, license_id, product_code, customer_id, account_id, scope, units,"
      " user_name, host, lease_ref, since_ms FROM usage_records";

  void bind(soci::statement& st) {
    auto& u = record;
    bind_columns(st, id, u.at_ms, event, u.license_id, u.product_code, u.customer_id, account,
                 u.scope, u.units, u.user, u.host, u.lease_ref, since);
  }
  // The record of the row just fetched.
  const domain::UsageRecord& fetched() {
    record.event = event;
    record.account_id = account.get();
    record.since_ms = since.get();
    return record;
  }
};

// Enough rows per execution that its cost is small; few enough that PostgreSQL, which sends a
// result whole, holds little.
constexpr int kBatch = 2000;

// Runs `st` (which ends in LIMIT kBatch) again and again, visiting each row, until a batch comes
// back short; `past_last` moves its bounds past the last row visited before each next batch.
template <class PastLast>
void visit_in_batches(soci::statement& st, UsageRow& row, const domain::UsageVisitor& visit,
                      PastLast past_last) {
  for (;;) {
    st.execute(false);
    int rows = 0;
    while (st.fetch()) {
      ++rows;
      visit(row.fetched());
    }
    if (rows < kBatch) return;
    past_last();
  }
}

class SqlUsageRepository final : public domain::UsageRepository {
 public:
  explicit SqlUsageRepository(soci::session& sql) : sql_(sql) {}

  void each_in_range(const domain::UsageFilter& filter, std::int64_t from_ms, std::int64_t to_ms,
                     const domain::UsageVisitor& visit) override {
    guarded(kRead, [&] {
      if (sqlite_) return each_in_id_range(filter, from_ms, to_ms, visit);
      const UsageFilterValues b(filter);
      // After the last row visited, in (at_ms, id) order; the sort of one batch is small.
      std::int64_t last_at = from_ms;
      std::int64_t last_at_too = from_ms;
      std::int64_t last_id = -1;
      const int limit = kBatch;
      UsageRow row;
      soci::statement st(sql_);
      row.bind(st);
      bind_all(st, last_at, to_ms, last_at_too, last_id);
      b.bind(st);
      bind_all(st, limit);
      finish_prepare(st, std::string(UsageRow::kSelect) +
                             " WHERE at_ms >= :last_at AND at_ms < :to"
                             " AND (at_ms > :last_at_too OR id > :last_id)" +
                             std::string(kUsageFiltered) + " ORDER BY at_ms, id LIMIT :limit");
      visit_in_batches(st, row, visit, [&] {
        last_at = last_at_too = row.record.at_ms;
        last_id = row.id;
      });
    });
  }

  void each_ended_after(const domain::UsageFilter& filter, std::int64_t at_ms,
                        const domain::UsageVisitor& visit) override {
    guarded(kRead, [&] {
      const UsageFilterValues b(filter);
      const std::string checkin(domain::usage_event::kCheckin);
      const std::string reclaim(domain::usage_event::kReclaim);
      const std::string release(domain::usage_event::kRelease);
      const std::string end_of_life(domain::usage_event::kEndOfLife);
      // On SQLite "after at_ms" is from the first id of the next millisecond.
      const std::int64_t after =
          sqlite_ ? usage_id_floor(std::min(at_ms, kUsageIdMaxMs - 1) + 1) : at_ms;
      UsageRow row;
      soci::statement st(sql_);
      row.bind(st);
      bind_all(st, after, at_ms, checkin, reclaim, release, end_of_life);
      b.bind(st);
      // At most one row per lease in use at `at_ms`: no more than the leases live then.
      finish_prepare(st, std::string(UsageRow::kSelect) +
                             (sqlite_ ? " WHERE id >= :after" : " WHERE at_ms > :after") +
                             " AND since_ms < :at"
                             " AND event IN (:checkin, :reclaim, :release, :end_of_life)" +
                             std::string(kUsageFiltered) +
                             (sqlite_ ? " ORDER BY id" : " ORDER BY at_ms, id"));
      st.execute(false);
      while (st.fetch()) visit(row.fetched());
    });
  }

 private:
  // SQLite: the ids carry the times, in the same order (storage/usage_record_ids.hpp), and the
  // table's own B-tree is the time index.
  void each_in_id_range(const domain::UsageFilter& filter, std::int64_t from_ms, std::int64_t to_ms,
                        const domain::UsageVisitor& visit) {
    const UsageFilterValues b(filter);
    std::int64_t after = usage_id_floor(from_ms) - 1;
    const std::int64_t end = usage_id_floor(to_ms);
    const int limit = kBatch;
    UsageRow row;
    soci::statement st(sql_);
    row.bind(st);
    bind_all(st, after, end);
    b.bind(st);
    bind_all(st, limit);
    finish_prepare(st, std::string(UsageRow::kSelect) + " WHERE id > :after AND id < :end" +
                           std::string(kUsageFiltered) + " ORDER BY id LIMIT :limit");
    visit_in_batches(st, row, visit, [&] { after = row.id; });
  }

  soci::session& sql_;
  const bool sqlite_ = sql_.get_backend_name() == "sqlite3";
};

}  // namespace

std::unique_ptr<domain::UsageRepository> sql_usage_repository(soci::session& sql) {
  return std::make_unique<SqlUsageRepository>(sql);
}

}  // namespace lmp::storage
