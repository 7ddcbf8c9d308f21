// The hourly usage roll-ups in SQL: the rolled hours, the license hours (their changes as text,
// "offset_ms,seq,delta;" each, "*" or "+" after the delta of a change of one way only,
// domain/usage_hours.hpp) and the holders per license and day, one bit per hour.
#include <charconv>
#include <limits>
#include <string>

#include "domain/usage_rollup_repository.hpp"
#include "storage/sql_repositories.hpp"
#include "storage/sql_rows.hpp"
#include "storage/sql_usage_filter.hpp"

namespace lmp::storage {
namespace {

constexpr std::string_view kRead = "read usage roll-ups";
constexpr std::string_view kWrite = "write usage roll-ups";
constexpr std::int64_t kHourMs = domain::kUsageHourMs;
constexpr std::int64_t kDayMs = 24 * kHourMs;
// Rows per execution: PostgreSQL sends a result whole.
constexpr int kBatch = 2000;

std::string encode_changes(const std::vector<domain::UsageChange>& changes, std::int64_t hour_ms) {
  std::string out;
  out.reserve(changes.size() * 16);
  for (const auto& change : changes) {
    out += std::to_string(change.at_ms - hour_ms);
    out += ',';
    out += std::to_string(change.seq);
    out += ',';
    out += std::to_string(change.delta);
    if (change.way == domain::UsageChange::Way::carried) out += '*';
    if (change.way == domain::UsageChange::Way::own) out += '+';
    out += ';';
  }
  return out;
}

void decode_changes(const std::string& text, std::int64_t hour_ms,
                    std::vector<domain::UsageChange>& out) {
  out.clear();
  const char* at = text.data();
  const char* const end = at + text.size();
  auto malformed = [] {
    return domain::StoreError("a stored usage roll-up has malformed changes");
  };
  auto number = [&] {
    std::int64_t value = 0;
    auto [next, error] = std::from_chars(at, end, value);
    if (error != std::errc() || next == end) throw malformed();
    at = next;
    return value;
  };
  auto expect = [&](char c) {
    if (at == end || *at != c) throw malformed();
    ++at;
  };
  while (at != end) {
    domain::UsageChange change;
    change.at_ms = hour_ms + number();
    expect(',');
    change.seq = number();
    expect(',');
    change.delta = number();
    if (at != end && (*at == '*' || *at == '+'))
      change.way = *at++ == '*' ? domain::UsageChange::Way::carried : domain::UsageChange::Way::own;
    expect(';');
    out.push_back(change);
  }
}

class SqlUsageRollupRepository final : public domain::UsageRollupRepository {
 public:
  explicit SqlUsageRollupRepository(soci::session& sql) : sql_(sql) {}

  std::vector<domain::UsageRolledHour> rolled_hours(std::int64_t from_ms,
                                                    std::int64_t to_ms) override {
    return hour_counts(
        "SELECT hour_ms, records FROM usage_rollup_hours"
        " WHERE hour_ms >= :from_ms AND hour_ms < :to_ms ORDER BY hour_ms",
        from_ms, to_ms);
  }

  std::optional<std::int64_t> latest_hour() override {
    return single_id("SELECT MAX(hour_ms) FROM usage_rollup_hours");
  }
  std::optional<std::int64_t> oldest_stale_hour() override {
    return single_id("SELECT MIN(hour_ms) FROM usage_rollup_hours WHERE records < 0");
  }
  std::optional<std::int64_t> oldest_record_ms() override {
    return single_id("SELECT MIN(at_ms) FROM usage_records");
  }

  std::vector<domain::UsageRolledHour> record_counts(std::int64_t from_ms,
                                                     std::int64_t to_ms) override {
    // Integer division: records have positive times.
    return hour_counts(
        "SELECT at_ms / 3600000 * 3600000, COUNT(*) FROM usage_records"
        " WHERE at_ms >= :from_ms AND at_ms < :to_ms GROUP BY at_ms / 3600000 * 3600000",
        from_ms, to_ms);
  }

  void mark_stale_from(std::int64_t hour_ms) override {
    guarded(kWrite, [&] {
      affected(sql_, "UPDATE usage_rollup_hours SET records = -1 WHERE hour_ms >= :hour_ms",
               hour_ms);
    });
  }

  void store_hour(std::int64_t hour_ms, std::int64_t records,
                  const std::vector<domain::UsageLicenseHour>& hours) override {
    guarded(kWrite, [&] {
      const std::int64_t day = hour_ms / kDayMs * kDayMs;
      const std::int64_t bit = std::int64_t{1} << ((hour_ms - day) / kHourMs);
      const std::int64_t keep = ~bit;
      // The hour's row first: of two sweeps storing one hour (instances sharing PostgreSQL),
      // the second waits here for the first's commit, then replaces what it wrote.
      affected(sql_,
               "INSERT INTO usage_rollup_hours (hour_ms, records) VALUES (:h, :r)"
               " ON CONFLICT (hour_ms) DO UPDATE SET records = excluded.records",
               hour_ms, records);
      affected(sql_, "DELETE FROM usage_hours WHERE hour_ms = :hour_ms", hour_ms);
      affected(sql_,
               "UPDATE usage_hour_holders SET hours = hours & :keep,"
               " carried_hours = carried_hours & :keep_too"
               " WHERE day_ms = :day AND ((hours | carried_hours) & :bit) <> 0",
               keep, keep, day, bit);
      affected(sql_,
               "DELETE FROM usage_hour_holders"
               " WHERE day_ms = :day AND hours = 0 AND carried_hours = 0",
               day);

      domain::UsageLicenseHour row;
      NullableId account;
      std::string changes;
      soci::statement hour_st(sql_);
      bind_all(hour_st, hour_ms, row.key.license_id.emplace(), row.key.product,
               row.key.customer_id.emplace());
      hour_st.exchange(soci::use(account.value, account.ind));
      bind_all(hour_st, row.scope, row.start_units, row.carried_units, row.peak_units, row.unit_ms,
               row.checkouts, changes);
      finish_prepare(hour_st,
                     "INSERT INTO usage_hours (hour_ms, license_id, product_code, customer_id,"
                     " account_id, scope, start_units, carried_units, peak_units, unit_ms,"
                     " checkouts, changes)"
                     " VALUES (:hour_ms, :license, :product, :customer, :account, :scope,"
                     " :start_units, :carried_units, :peak_units, :unit_ms, :checkouts,"
                     " :changes)");
      std::string user;
      std::string host;
      std::int64_t own_bit = 0;
      std::int64_t carried_bit = 0;
      soci::statement holder_st(sql_);
      bind_all(holder_st, day, row.key.license_id.value(), user, host, own_bit, carried_bit,
               row.key.product, row.key.customer_id.value());
      holder_st.exchange(soci::use(account.value, account.ind));
      bind_all(holder_st, row.scope);
      // Both databases know INSERT ... ON CONFLICT DO UPDATE (SQLite since 3.24).
      finish_prepare(holder_st,
                     "INSERT INTO usage_hour_holders (day_ms, license_id, user_name, host, hours,"
                     " carried_hours, product_code, customer_id, account_id, scope)"
                     " VALUES (:day, :license, :user_name, :host, :own_bit, :carried_bit,"
                     " :product, :customer, :account, :scope)"
                     " ON CONFLICT (day_ms, license_id, user_name, host)"
                     " DO UPDATE SET hours = usage_hour_holders.hours | excluded.hours,"
                     " carried_hours = usage_hour_holders.carried_hours | excluded.carried_hours");
      for (const auto& hour : hours) {
        *row.key.license_id = hour.key.license_id.value_or(0);
        row.key.product = hour.key.product;
        *row.key.customer_id = hour.key.customer_id.value_or(0);
        account = NullableId(hour.key.account_id);
        row.scope = hour.scope;
        row.start_units = hour.start_units;
        row.carried_units = hour.carried_units;
        row.peak_units = hour.peak_units;
        row.unit_ms = hour.unit_ms;
        row.checkouts = hour.checkouts;
        changes = encode_changes(hour.changes, hour_ms);
        hour_st.execute(true);
        for (const bool carried : {false, true}) {
          own_bit = carried ? 0 : bit;
          carried_bit = carried ? bit : 0;
          for (const auto& holder : carried ? hour.carried_holders : hour.holders) {
            user = holder.first;
            host = holder.second;
            holder_st.execute(true);
          }
        }
      }
    });
  }

  std::int64_t prune_before(std::int64_t hour_ms) override {
    return guarded(kWrite, [&] {
      // A day's holders go with its last hour.
      const std::int64_t last_day = hour_ms - kDayMs;
      affected(sql_, "DELETE FROM usage_hours WHERE hour_ms < :hour_ms", hour_ms);
      affected(sql_, "DELETE FROM usage_hour_holders WHERE day_ms <= :last_day", last_day);
      return affected(sql_, "DELETE FROM usage_rollup_hours WHERE hour_ms < :hour_ms", hour_ms);
    });
  }

  void each_hour(const domain::UsageFilter& filter, std::int64_t from_ms, std::int64_t to_ms,
                 bool with_changes,
                 const std::function<void(const domain::UsageLicenseHour&)>& visit) override {
    guarded(kRead, [&] {
      const UsageFilterValues values(filter);
      domain::UsageLicenseHour hour;
      hour.key.license_id.emplace();
      hour.key.customer_id.emplace();
      NullableId account;
      std::string changes;
      std::int64_t last_hour = from_ms;
      std::int64_t last_hour_too = from_ms;
      std::int64_t last_license = std::numeric_limits<std::int64_t>::min();
      const int limit = kBatch;
      soci::statement st(sql_);
      bind_columns(st, hour.from_ms, *hour.key.license_id, hour.key.product, *hour.key.customer_id,
                   account, hour.scope, hour.start_units, hour.carried_units, hour.peak_units,
                   hour.unit_ms, hour.checkouts, changes);
      const int all_changes = with_changes ? 1 : 0;
      bind_all(st, all_changes, from_ms, last_hour, to_ms, last_hour_too, last_license);
      values.bind(st);
      bind_all(st, limit);
      finish_prepare(st,
                     "SELECT hour_ms, license_id, product_code, customer_id, account_id, scope,"
                     " start_units, carried_units, peak_units, unit_ms, checkouts,"
                     " CASE WHEN :all_changes = 1 OR hour_ms = :first THEN changes ELSE '' END"
                     " FROM usage_hours"
                     " WHERE hour_ms >= :last_hour AND hour_ms < :to_ms"
                     " AND (hour_ms > :last_hour_too OR license_id > :last_license)" +
                         std::string(kUsageFiltered) +
                         " ORDER BY hour_ms, license_id LIMIT :limit");
      for (;;) {
        st.execute(false);
        int rows = 0;
        while (st.fetch()) {
          ++rows;
          hour.key.account_id = account.get();
          decode_changes(changes, hour.from_ms, hour.changes);
          visit(hour);
        }
        if (rows < limit) return;
        last_hour = last_hour_too = hour.from_ms;
        last_license = *hour.key.license_id;
      }
    });
  }

  void each_holder_day(const domain::UsageFilter& filter, std::int64_t from_ms, std::int64_t to_ms,
                       const std::function<void(const domain::UsageHolderDay&)>& visit) override {
    guarded(kRead, [&] {
      const UsageFilterValues values(filter);
      domain::UsageHolderDay row;
      NullableId account;
      std::int64_t day = from_ms / kDayMs * kDayMs;
      soci::statement st(sql_);
      bind_columns(st, row.license_id, row.product, row.customer_id, account, row.hours,
                   row.carried_hours, row.user, row.host);
      bind_all(st, day);
      values.bind(st);
      // A day at a time: PostgreSQL sends a result whole.
      finish_prepare(st,
                     "SELECT license_id, product_code, customer_id, account_id, hours,"
                     " carried_hours, user_name, host FROM usage_hour_holders WHERE day_ms = :day" +
                         std::string(kUsageFiltered));
      for (; day < to_ms; day += kDayMs) {
        row.day_ms = day;
        st.execute(false);
        while (st.fetch()) {
          row.account_id = account.get();
          visit(row);
        }
      }
    });
  }

 private:
  // Runs `query` (two placeholders: the range's start and end, in that order) and returns its
  // (hour, count) rows; shared by the rolled-up hours and the per-hour record counts.
  std::vector<domain::UsageRolledHour> hour_counts(const std::string& query, std::int64_t from_ms,
                                                   std::int64_t to_ms) {
    return guarded(kRead, [&] {
      std::vector<domain::UsageRolledHour> out;
      domain::UsageRolledHour row;
      soci::statement st(sql_);
      bind_columns(st, row.hour_ms, row.records);
      bind_all(st, from_ms, to_ms);
      finish_prepare(st, query);
      st.execute(false);
      while (st.fetch()) out.push_back(row);
      return out;
    });
  }

  std::optional<std::int64_t> single_id(const std::string& query) {
    return guarded(kRead, [&] {
      NullableId value;
      soci::statement st(sql_);
      bind_columns(st, value);
      finish_prepare(st, query);
      st.execute(true);
      return value.get();
    });
  }

  soci::session& sql_;
};

}  // namespace

std::unique_ptr<domain::UsageRollupRepository> sql_usage_rollup_repository(soci::session& sql) {
  return std::make_unique<SqlUsageRollupRepository>(sql);
}

}  // namespace lmp::storage
