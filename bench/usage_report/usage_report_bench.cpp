// lmp-usage-bench: how long a usage report takes over a month of records for 10,000 endpoints
// (issue #16: under a second). Generates the records in the database with one INSERT, rolls up
// the closed hours as lmpd's sweep does (timed), then runs the reports of docs/benchmarks.md
// ("Usage reports") through the domain operation and the SQL repositories lmpd uses, and prints
// each one's median time, merged from the roll-ups and replayed from the records alone.
//
//   lmp-usage-bench sqlite /tmp/usage.db [ENDPOINTS] [DAYS] [SESSIONS_PER_DAY]
//   lmp-usage-bench postgresql 'host=... dbname=...' [ENDPOINTS] [DAYS] [SESSIONS_PER_DAY]
#include <soci/soci.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "domain/caller.hpp"
#include "domain/context.hpp"
#include "domain/product.hpp"
#include "domain/usage_reports.hpp"
#include "domain/usage_rollups.hpp"
#include "storage/sql_session.hpp"
#include "storage/sql_unit_of_work.hpp"
#include "storage/usage_record_ids.hpp"

namespace {

using namespace lmp;

constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kStartMs = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

// Each endpoint's sessions: a checkout at 08:00 plus its own offset (a second per endpoint,
// within an hour), and a checkin 4 h later; the next session of the day starts 30 min after it.
// Licenses: 100, each of one of 20 customers under partner 2. All records in one statement.
// On SQLite each record's id carries its time (storage/usage_record_ids.hpp), as lmpd writes them.
void generate(soci::session& sql, bool sqlite, int endpoints, int days, int sessions) {
  // The bench's own integers go into the SQL text itself, because each is used several times
  // and a bound parameter could be used only once.
  const std::string e = std::to_string(endpoints);
  const std::string s = std::to_string(sessions);
  const std::string total = std::to_string(static_cast<std::int64_t>(endpoints) * days * sessions);
  const std::string start = std::to_string(kStartMs);
  sql << "DELETE FROM usage_records";
  sql << "WITH RECURSIVE n(i) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i + "
         "1 < " +
             total +
             "),"
             " s(i, e, at) AS (SELECT i, i % " +
             e + ", " + start + " + (i / " + e + " / " + s + ") * 86400000 + 28800000 + (i / " + e +
             " % " + s + ") * 16200000 + (i % " + e +
             " % 3600) * 1000 FROM n),"
             " k(end_it) AS (SELECT 0 UNION ALL SELECT 1),"
             " r AS (SELECT CASE WHEN end_it = 1 THEN at + 14400000 ELSE at END AS at_ms,"
             " CASE WHEN end_it = 1 THEN 'checkin' ELSE 'checkout' END,"
             " e % 100 + 1, 'cad', e % 100 % 20 + 1, 2,"
             " '/1/2/c' || CAST(e % 100 % 20 + 1 AS TEXT) || '/', 1,"
             " 'user' || CAST(e AS TEXT), 'host' || CAST(e AS TEXT), '10.0.0.1',"
             " 'lease' || CAST(i AS TEXT), '', CASE WHEN end_it = 1 THEN at ELSE NULL END"
             " FROM s, k)"
             " INSERT INTO usage_records (" +
             std::string(sqlite ? "id, " : "") +
             "at_ms, event, license_id, product_code, customer_id, account_id, scope, units,"
             " user_name, host, peer, lease_ref, code, since_ms) SELECT " +
             (sqlite ? storage::usage_id_floor_sql("at_ms") +
                           " + ROW_NUMBER() OVER (PARTITION BY at_ms) - 1, "
                     : std::string()) +
             "* FROM r ORDER BY at_ms";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: lmp-usage-bench sqlite FILE | postgresql CONNINFO [ENDPOINTS] [DAYS] "
                 "[SESSIONS_PER_DAY]\n");
    return 2;
  }
  const std::string backend = argv[1];
  const int endpoints = argc > 3 ? std::stoi(argv[3]) : 10'000;
  const int days = argc > 4 ? std::stoi(argv[4]) : 30;
  const int sessions = argc > 5 ? std::stoi(argv[5]) : 2;
  storage::Options options;
  if (backend == "sqlite") {
    options.sqlite_path = std::filesystem::absolute(argv[2]).string();
  } else {
    options.backend = storage::Backend::postgresql;
    options.postgresql_connection = argv[2];
    // PostgreSQL needs a server secret made beforehand (docs/scale-out.md): one for the bench.
    const auto secret = std::filesystem::temp_directory_path() / "lmp-usage-bench.secret";
    if (!std::filesystem::exists(secret)) {
      std::random_device random;
      std::string bytes;
      for (int i = 0; i < 32; ++i) bytes += static_cast<char>(random() & 0xff);
      std::ofstream(secret, std::ios::binary) << bytes;
      std::filesystem::permissions(
          secret, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    }
    options.secret_file = secret.string();
  }
  auto db = storage::open_unit_of_work(options);  // migrates a new database
  {
    // Opened as lmpd opens its sessions; the schema is current already.
    auto opened = backend == "sqlite" ? storage::open_sqlite_session(options)
                                      : storage::open_postgresql_session(options);
    soci::session& sql = *opened.sql;
    const auto started = std::chrono::steady_clock::now();
    soci::transaction tx(sql);
    generate(sql, backend == "sqlite", endpoints, days, sessions);
    tx.commit();
    if (backend != "sqlite") sql << "ANALYZE usage_records";
    std::int64_t rows = 0;
    sql << "SELECT COUNT(*) FROM usage_records", soci::into(rows);
    std::printf("generated %lld records (%d endpoints, %d days, %d sessions a day) in %.1f s\n",
                static_cast<long long>(rows), endpoints, days, sessions,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }

  const domain::Caller caller = domain::Caller::local_operator(std::nullopt);
  const domain::Products products;
  const std::int64_t end_ms = kStartMs + days * kDayMs;
  {
    // As the sweep would have by the end of the month, timed as one catch-up.
    const auto started = std::chrono::steady_clock::now();
    const std::clock_t cpu_started = std::clock();
    domain::UsageRollupSweep sweep(400LL * kDayMs);
    const int hours = sweep.run(*db, end_ms, 1'000'000);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("rolled up %d hours in %.1f s wall, %.1f s CPU (%.0f ms an hour)\n", hours, seconds,
                static_cast<double>(std::clock() - cpu_started) / CLOCKS_PER_SEC,
                hours > 0 ? 1000.0 * seconds / hours : 0.0);
  }
  struct Case {
    const char* name;
    const char* group;
    const char* period;
  };
  for (const bool rolled : {true, false})
    for (const Case& c : {Case{"per license, whole month", "license", "all"},
                          Case{"per license and day", "license", "day"},
                          Case{"per customer and month (billing)", "customer", "month"},
                          Case{"per product and hour", "product", "hour"},
                          Case{"per user, whole month", "user", "all"},
                          Case{"per host and month", "host", "month"}}) {
      std::vector<double> seconds;
      std::vector<double> cpu_seconds;
      std::size_t rows = 0;
      for (int round = 0; round < 3; ++round) {
        const auto started = std::chrono::steady_clock::now();
        const std::clock_t cpu_started = std::clock();
        domain::Transaction tx(*db, domain::TransactionMode::read);
        const domain::Context ctx{*db, caller, end_ms, products, nullptr};
        domain::UsageReportQuery query;
        query.from_ms = kStartMs;
        query.to_ms = end_ms;
        query.group = c.group;
        query.period = c.period;
        rows = (rolled ? domain::usage_report(ctx, query)
                       : domain::usage_report_from_records(ctx, query))
                   .size();
        tx.commit();
        seconds.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        // This process's CPU time (the bench's and SQLite's; PostgreSQL's server is not in it).
        cpu_seconds.push_back(static_cast<double>(std::clock() - cpu_started) / CLOCKS_PER_SEC);
      }
      std::sort(seconds.begin(), seconds.end());
      std::sort(cpu_seconds.begin(), cpu_seconds.end());
      std::printf(
          "%-8s %-34s %6zu rows  median %.3f s wall, %.3f s CPU (wall min %.3f, max %.3f)\n",
          rolled ? "report" : "records", c.name, rows, seconds[seconds.size() / 2],
          cpu_seconds[cpu_seconds.size() / 2], seconds.front(), seconds.back());
    }
  return 0;
}
