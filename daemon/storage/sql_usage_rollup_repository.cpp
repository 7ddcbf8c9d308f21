// The hourly usage roll-ups in SQL: the rolled hours, the license hours (their changes as text,
// "offset_ms,seq,delta;" each, "*" or "+" after the delta of a change of one way only,
// domain/usage_hours.hpp) and the holders per license and day, one bit per hour, with each
// holder's own use of each hour as text ("hour:start,carried,peak,unit_ms,checkouts:changes|",
// or "hour=units|" for units held the whole hour and nothing else).
#include <charconv>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "domain/usage_rollup_repository.hpp"
#include "storage/sql_repositories.hpp"
#include "storage/sql_rows.hpp"
#include "storage/sql_usage_filter.hpp"
#include "storage/usage_record_ids.hpp"

namespace lmp::storage {
namespace {

constexpr std::string_view kReadRollups = "read usage roll-ups";
constexpr std::string_view kWriteRollups = "write usage roll-ups";
constexpr std::int64_t kRollupHourMs = domain::kUsageHourMs;
constexpr std::int64_t kRollupDayMs = 24 * kRollupHourMs;
// Rows per execution: PostgreSQL sends a result whole.
constexpr int kRollupBatch = 2000;

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

domain::StoreError malformed() {
  return domain::StoreError("a stored usage roll-up is malformed");
}

// Reads the text at `at` (up to `end`) as numbers and separators.
struct TextReader {
  const char* at;
  const char* end;

  std::int64_t number() {
    std::int64_t value = 0;
    auto [next, error] = std::from_chars(at, end, value);
    if (error != std::errc() || next == end) throw malformed();
    at = next;
    return value;
  }
  void expect(char c) {
    if (at == end || *at != c) throw malformed();
    ++at;
  }
};

// Appends the changes at `in` up to `stop` (or the end of the text), at which it stops.
void read_changes(TextReader& in, char stop, std::int64_t hour_ms,
                  std::vector<domain::UsageChange>& out) {
  const auto number = [&] { return in.number(); };
  const auto expect = [&](char c) { in.expect(c); };
  const char*& at = in.at;
  const char* const end = in.end;
  while (at != end && *at != stop) {
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

void decode_changes(const std::string& text, std::int64_t hour_ms,
                    std::vector<domain::UsageChange>& out) {
  out.clear();
  TextReader in{text.data(), text.data() + text.size()};
  read_changes(in, '\0', hour_ms, out);
}

// One holder hour (UsageHourBuilder by holder) as its segment of the holder day's use.
std::string encode_use(const domain::UsageLicenseHour& hour, int hour_of_day) {
  std::string out = std::to_string(hour_of_day);
  if (hour.carried_units == 0 && hour.checkouts == 0 && hour.changes.empty() &&
      hour.peak_units == hour.start_units && hour.unit_ms == hour.start_units * kRollupHourMs) {
    out += '=';
    out += std::to_string(hour.start_units);
  } else {
    char separator = ':';
    for (const std::int64_t value :
         {hour.start_units, hour.carried_units, hour.peak_units, hour.unit_ms, hour.checkouts}) {
      out += separator;
      out += std::to_string(value);
      separator = ',';
    }
    out += ':';
    out += encode_changes(hour.changes, hour.from_ms);
  }
  out += '|';
  return out;
}

// A holder day's use text into `day.use` and `day.changes`.
void decode_use(const std::string& text, std::int64_t day_ms, domain::UsageHolderDay& day) {
  day.use.clear();
  day.changes.clear();
  TextReader in{text.data(), text.data() + text.size()};
  while (in.at != in.end) {
    domain::UsageHolderHour use;
    const std::int64_t hour = in.number();
    if (hour < 0 || hour >= 24) throw malformed();
    use.hour = static_cast<int>(hour);
    if (in.at != in.end && *in.at == '=') {
      ++in.at;
      use.start_units = use.peak_units = in.number();
      use.unit_ms = use.start_units * kRollupHourMs;
    } else {
      in.expect(':');
      use.start_units = in.number();
      in.expect(',');
      use.carried_units = in.number();
      in.expect(',');
      use.peak_units = in.number();
      in.expect(',');
      use.unit_ms = in.number();
      in.expect(',');
      use.checkouts = in.number();
      in.expect(':');
      use.changes_begin = static_cast<std::uint32_t>(day.changes.size());
      read_changes(in, '|', day_ms + hour * kRollupHourMs, day.changes);
      use.changes_end = static_cast<std::uint32_t>(day.changes.size());
    }
    in.expect('|');
    day.use.push_back(use);
  }
}

// `text` without the segment of hour `hour_of_day`.
std::string without_hour(const std::string& text, int hour_of_day) {
  std::string out;
  const std::string prefix = std::to_string(hour_of_day);
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t bar = text.find('|', at);
    if (bar == std::string::npos) throw malformed();
    const std::string_view segment(text.data() + at, bar + 1 - at);
    const bool its = segment.starts_with(prefix) && segment.size() > prefix.size() &&
                     (segment[prefix.size()] == ':' || segment[prefix.size()] == '=');
    if (!its) out += segment;
    at = bar + 1;
  }
  return out;
}

class SqlUsageRollupRepository final : public domain::UsageRollupRepository {
 public:
  explicit SqlUsageRollupRepository(soci::session& sql)
      : sql_(sql), sqlite_(sql.get_backend_name() == "sqlite3") {}

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
  // On SQLite a record's id carries its time and is the time index (usage_record_ids.hpp).
  std::optional<std::int64_t> oldest_record_ms() override {
    return single_id(sqlite_ ? "SELECT " + usage_id_time_sql("MIN(id)") + " FROM usage_records"
                             : std::string("SELECT MIN(at_ms) FROM usage_records"));
  }

  std::vector<domain::UsageRolledHour> record_counts(std::int64_t from_ms,
                                                     std::int64_t to_ms) override {
    // Integer division: records have positive times.
    return hour_counts("SELECT at_ms / 3600000 * 3600000, COUNT(*) FROM usage_records WHERE " +
                           (sqlite_ ? "id >= " + usage_id_floor_sql(":from_ms") + " AND id < " +
                                          usage_id_floor_sql(":to_ms")
                                    : std::string("at_ms >= :from_ms AND at_ms < :to_ms")) +
                           " GROUP BY at_ms / 3600000 * 3600000",
                       from_ms, to_ms);
  }

  void mark_stale_from(std::int64_t hour_ms) override {
    guarded(kWriteRollups, [&] {
      affected(sql_, "UPDATE usage_rollup_hours SET records = -1 WHERE hour_ms >= :hour_ms",
               hour_ms);
    });
  }

  void store_hour(std::int64_t hour_ms, std::int64_t records,
                  const std::vector<domain::UsageLicenseHour>& hours,
                  const std::vector<domain::UsageLicenseHour>& holder_hours) override {
    guarded(kWriteRollups, [&] {
      const std::int64_t day = hour_ms / kRollupDayMs * kRollupDayMs;
      const int hour_of_day = static_cast<int>((hour_ms - day) / kRollupHourMs);
      const std::int64_t bit = std::int64_t{1} << hour_of_day;
      const std::int64_t keep = ~bit;
      // The hour's row first: of two sweeps storing one hour (instances sharing PostgreSQL),
      // the second waits here for the first's commit, then replaces what it wrote.
      affected(sql_,
               "INSERT INTO usage_rollup_hours (hour_ms, records) VALUES (:h, :r)"
               " ON CONFLICT (hour_ms) DO UPDATE SET records = excluded.records",
               hour_ms, records);
      affected(sql_, "DELETE FROM usage_hours WHERE hour_ms = :hour_ms", hour_ms);
      forget_holders_hour(day, hour_of_day);
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
      }

      // Each holder of a license hour has an hour of its own (UsageHourBuilder by holder): its
      // bit in `hours`, or in `carried_hours` when only a lease carried into the hour brought it.
      std::vector<HolderRow> batch(std::min(holder_hours.size(), kHolderBatch));
      std::unique_ptr<soci::statement> full;
      std::size_t filled = 0;
      for (const auto& hour : holder_hours) {
        HolderRow& r = batch[filled++];
        r.day = day;
        r.license = hour.key.license_id.value_or(0);
        r.user = hour.key.user;
        r.host = hour.key.host;
        r.own_bit = hour.holders.empty() ? 0 : bit;
        r.carried_bit = hour.holders.empty() ? bit : 0;
        r.product = hour.key.product;
        r.customer = hour.key.customer_id.value_or(0);
        r.account = NullableId(hour.key.account_id);
        r.scope = hour.scope;
        r.use = encode_use(hour, hour_of_day);
        if (filled < batch.size()) continue;
        if (!full) full = prepare_holders(batch, filled);
        full->execute(true);
        filled = 0;
      }
      if (filled > 0) prepare_holders(batch, filled)->execute(true);
    });
  }

  std::int64_t prune_before(std::int64_t hour_ms) override {
    return guarded(kWriteRollups, [&] {
      // A day's holders go with its last hour.
      const std::int64_t last_day = hour_ms - kRollupDayMs;
      affected(sql_, "DELETE FROM usage_hours WHERE hour_ms < :hour_ms", hour_ms);
      affected(sql_, "DELETE FROM usage_hour_holders WHERE day_ms <= :last_day", last_day);
      return affected(sql_, "DELETE FROM usage_rollup_hours WHERE hour_ms < :hour_ms", hour_ms);
    });
  }

  void each_hour(const domain::UsageFilter& filter, std::int64_t from_ms, std::int64_t to_ms,
                 bool with_changes,
                 const std::function<void(const domain::UsageLicenseHour&)>& visit) override {
    guarded(kReadRollups, [&] {
      const UsageFilterValues values(filter);
      domain::UsageLicenseHour hour;
      hour.key.license_id.emplace();
      hour.key.customer_id.emplace();
      NullableId account;
      std::string changes;
      std::int64_t last_hour = from_ms;
      std::int64_t last_hour_too = from_ms;
      std::int64_t last_license = std::numeric_limits<std::int64_t>::min();
      const int limit = kRollupBatch;
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
                       bool with_use,
                       const std::function<void(const domain::UsageHolderDay&)>& visit) override {
    guarded(kReadRollups, [&] {
      const UsageFilterValues values(filter);
      domain::UsageHolderDay row;
      NullableId account;
      std::string use;
      std::int64_t day = from_ms / kRollupDayMs * kRollupDayMs;
      soci::statement st(sql_);
      bind_columns(st, row.license_id, row.product, row.customer_id, account, row.hours,
                   row.carried_hours, row.user, row.host, use);
      bind_all(st, day);
      values.bind(st);
      // A day at a time: PostgreSQL sends a result whole.
      finish_prepare(
          st, std::string("SELECT license_id, product_code, customer_id, account_id, hours,"
                          " carried_hours, user_name, host, ") +
                  (with_use ? "hour_use" : "''") + " FROM usage_hour_holders WHERE day_ms = :day" +
                  std::string(kUsageFiltered));
      for (; day < to_ms; day += kRollupDayMs) {
        row.day_ms = day;
        st.execute(false);
        while (st.fetch()) {
          row.account_id = account.get();
          if (with_use) decode_use(use, day, row);
          visit(row);
        }
      }
    });
  }

 private:
  // One row of store_hour()'s batched INSERT of holders.
  struct HolderRow {
    std::int64_t day = 0;
    std::int64_t license = 0;
    std::string user;
    std::string host;
    std::int64_t own_bit = 0;
    std::int64_t carried_bit = 0;
    std::string product;
    std::int64_t customer = 0;
    NullableId account;
    std::string scope;
    std::string use;
  };
  // Rows per INSERT: one statement (one round trip to PostgreSQL) for this many holders, well
  // within both databases' limits on placeholders (11 a row).
  static constexpr std::size_t kHolderBatch = 250;

  // The INSERT of rows[0, count) as one statement, bound to them.
  std::unique_ptr<soci::statement> prepare_holders(std::vector<HolderRow>& rows,
                                                   std::size_t count) {
    auto st = std::make_unique<soci::statement>(sql_);
    std::string query =
        "INSERT INTO usage_hour_holders (day_ms, license_id, user_name, host, hours,"
        " carried_hours, product_code, customer_id, account_id, scope, hour_use) VALUES ";
    for (std::size_t i = 0; i < count; ++i) {
      HolderRow& r = rows[i];
      bind_all(*st, r.day, r.license, r.user, r.host, r.own_bit, r.carried_bit, r.product,
               r.customer);
      st->exchange(soci::use(r.account.value, r.account.ind));
      bind_all(*st, r.scope, r.use);
      const std::string n = std::to_string(i);
      if (i > 0) query += ',';
      query += "(:d" + n + ",:l" + n + ",:u" + n + ",:h" + n + ",:o" + n + ",:c" + n + ",:p" + n +
               ",:k" + n + ",:a" + n + ",:s" + n + ",:x" + n + ")";
    }
    // Both databases know INSERT ... ON CONFLICT DO UPDATE (SQLite since 3.24). A holder's hour
    // is new to its row (forget_holders_hour() took out an earlier roll-up's).
    query +=
        " ON CONFLICT (day_ms, license_id, user_name, host)"
        " DO UPDATE SET hours = usage_hour_holders.hours | excluded.hours,"
        " carried_hours = usage_hour_holders.carried_hours | excluded.carried_hours,"
        " hour_use = usage_hour_holders.hour_use || excluded.hour_use";
    finish_prepare(*st, query);
    return st;
  }

  // Takes hour `hour_of_day`'s segment out of the use of the day's holders that have it (those
  // whose hour is rolled up again).
  void forget_holders_hour(std::int64_t day, int hour_of_day) {
    const std::int64_t bit = std::int64_t{1} << hour_of_day;
    std::vector<std::tuple<std::int64_t, std::string, std::string, std::string>> rows;
    {
      std::tuple<std::int64_t, std::string, std::string, std::string> row;
      soci::statement st(sql_);
      bind_columns(st, std::get<0>(row), std::get<1>(row), std::get<2>(row), std::get<3>(row));
      bind_all(st, day, bit);
      finish_prepare(st,
                     "SELECT license_id, user_name, host, hour_use FROM usage_hour_holders"
                     " WHERE day_ms = :day AND ((hours | carried_hours) & :bit) <> 0");
      st.execute(false);
      while (st.fetch()) rows.push_back(row);
    }
    for (auto& [license, user, host, use] : rows)
      affected(sql_,
               "UPDATE usage_hour_holders SET hour_use = :use"
               " WHERE day_ms = :day AND license_id = :license AND user_name = :user_name"
               " AND host = :host",
               without_hour(use, hour_of_day), day, license, user, host);
  }

  // Runs `query` (two placeholders: the range's start and end, in that order) and returns its
  // (hour, count) rows; shared by the rolled-up hours and the per-hour record counts.
  std::vector<domain::UsageRolledHour> hour_counts(const std::string& query, std::int64_t from_ms,
                                                   std::int64_t to_ms) {
    return guarded(kReadRollups, [&] {
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
    return guarded(kReadRollups, [&] {
      NullableId value;
      soci::statement st(sql_);
      bind_columns(st, value);
      finish_prepare(st, query);
      st.execute(true);
      return value.get();
    });
  }

  soci::session& sql_;
  const bool sqlite_;
};

}  // namespace

std::unique_ptr<domain::UsageRollupRepository> sql_usage_rollup_repository(soci::session& sql) {
  return std::make_unique<SqlUsageRollupRepository>(sql);
}

}  // namespace lmp::storage
