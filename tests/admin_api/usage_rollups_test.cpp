// The hourly usage roll-ups on each storage backend: a scripted random day over the seat
// protocol (leases held across hours by heartbeats, leases left to expire and reclaimed in a
// later hour, several changes at one moment, repeated checkouts), rolled up by the sweep as the
// clock passes, then every report (every group, user and host too; periods; ranges on and off
// the hours, ending now with leases still held; filters) compared with the same report replayed
// from the records alone; then a record that arrives late for an hour already rolled up, found
// by the sweep and rolled up again.
#include <soci/soci.h>

#include <chrono>
#include <map>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "admin_fixture.hpp"
#include "domain/caller.hpp"
#include "domain/context.hpp"
#include "domain/product.hpp"
#include "domain/usage_reports.hpp"
#include "domain/usage_rollups.hpp"
#include "storage/schema_migrations.hpp"
#include "storage/sql_unit_of_work.hpp"
#include "support/line_client.hpp"
#include "support/sanitized_build.hpp"
#include "support/schema_undo.hpp"

namespace lmp::test {
namespace {

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kRetention = 400LL * 86'400'000;

class UsageRollupsTest : public AdminApiTest {
 protected:
  void SetUp() override {
    AdminApiTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    msp_ = make_partner("msp-one", "msp");
    customers_ = {make_customer("first", msp_), make_customer("second", msp_),
                  make_customer("direct", 0)};
    for (std::size_t i = 0; i < 4; ++i) {
      auto made = ok(root_token_, "POST", "/v1/licenses",
                     {{"customer", customers_[i % customers_.size()]},
                      {"product", i == 3 ? "agent" : "cad"},
                      {"units", 20},
                      {"days", 365}});
      licenses_.push_back({id_of(made), std::string(made.at("code").as_string())});
    }
    db_ = storage::open_unit_of_work(config_.storage);
  }

  std::int64_t now() { return server_->clock().now_unix_ms(); }

  // Random checkouts, repeated checkouts, checkins; most held leases kept alive by heartbeats,
  // the others left to expire; the roll-up sweep run now and then. About `hours` hours.
  void run_script(int hours) {
    std::mt19937 random(1616);
    LineClient seat(server_->port(), "127.0.0.2");
    struct Held {
      std::string lease;
      std::string line;  // its checkout, to repeat
    };
    std::vector<Held> held;
    const std::int64_t end = now() + hours * kHour;
    domain::UsageRollupSweep sweep(kRetention);
    while (now() < end) {
      const int ops = 1 + static_cast<int>(random() % 4);  // at one moment
      for (int op = 0; op < ops; ++op) {
        const int what = static_cast<int>(random() % 10);
        if (what < 5 || held.empty()) {
          const auto& license = licenses_[random() % licenses_.size()];
          const int user = static_cast<int>(random() % 8);
          const std::string line = "CHECKOUT code=" + license.code + " user=user" +
                                   std::to_string(user) + " host=host" + std::to_string(user % 5) +
                                   " units=" + std::to_string(1 + random() % 3);
          const auto reply = fields_of(seat.request(line));
          if (reply.count("lease")) held.push_back({reply.at("lease"), line});
        } else if (what < 6) {
          seat.request(held[random() % held.size()].line);  // the holder's lease again
        } else {
          const std::size_t i = random() % held.size();
          seat.request("CHECKIN lease=" + held[i].lease);
          held.erase(held.begin() + static_cast<long>(i));
        }
      }
      // Every few minutes; a lease not heartbeaten expires and is reclaimed later.
      server_->advance_seconds(10 + static_cast<std::int64_t>(random() % 280));
      for (std::size_t i = 0; i < held.size();) {
        if (random() % 10 == 0) {
          held.erase(held.begin() + static_cast<long>(i));
          continue;
        }
        seat.request("HEARTBEAT lease=" + held[i].lease);
        ++i;
      }
      if (random() % 8 == 0) sweep.run(*db_, now(), 1000);
    }
  }

  std::vector<domain::UsageRow> report(bool rolled, const domain::UsageReportQuery& query) {
    const domain::Caller root = domain::Caller::local_operator(std::nullopt);
    const domain::Products products;
    domain::Transaction tx(*db_, domain::TransactionMode::read);
    const domain::Context ctx{*db_, root, now(), products, nullptr};
    auto rows =
        rolled ? domain::usage_report(ctx, query) : domain::usage_report_from_records(ctx, query);
    tx.commit();
    return rows;
  }

  // Every report, both ways; returns how many rows were compared. Under the sanitizers every
  // fourth combination of group, period, range and filter, which still reaches every value of
  // each: their -O0 builds took 6 to 30 s for each of these tests (docs/reliability.md).
  static constexpr int kCombinationStride = kSanitizedBuild ? 4 : 1;
  int compare_all(std::int64_t start) {
    const std::int64_t at = now();
    const std::int64_t first_hour = (start / kHour + 1) * kHour;  // the first whole hour
    const std::pair<std::int64_t, std::int64_t> ranges[] = {
        {start - kHour, at},
        {start + kHour, start + 3 * kHour},
        {start + 1234, at - 5678},
        {start + 2 * kHour, at + 5 * kHour},
        {first_hour + kHour, at},  // from a rolled-up hour's start
        {first_hour + kHour, first_hour + 3 * kHour},
    };
    int compared = 0;
    int combination = 0;
    for (const char* group : {"license", "product", "customer", "partner", "user", "host"}) {
      for (const char* period : {"all", "hour", "day", "month"}) {
        for (const auto& [from, to] : ranges) {
          for (int filter = 0; filter < 5; ++filter) {
            if (combination++ % kCombinationStride != 0) continue;
            domain::UsageReportQuery query;
            query.from_ms = from;
            query.to_ms = to;
            query.group = group;
            query.period = period;
            if (filter == 1) query.license_id = licenses_[0].id;
            if (filter == 2) query.customer_id = customers_[1];
            if (filter == 3) query.account_id = msp_;
            if (filter == 4) query.product = "cad";
            const std::string what = std::string(group) + " " + period + " " +
                                     std::to_string(from) + ".." + std::to_string(to) + " filter " +
                                     std::to_string(filter);
            const auto want = report(false, query);
            const auto got = report(true, query);
            EXPECT_EQ(want.size(), got.size()) << what;
            for (std::size_t i = 0; i < std::min(want.size(), got.size()); ++i) {
              const auto& a = want[i];
              const auto& b = got[i];
              EXPECT_TRUE(a.key == b.key && a.from_ms == b.from_ms && a.to_ms == b.to_ms &&
                          a.peak_units == b.peak_units && a.unit_ms == b.unit_ms &&
                          a.checkouts == b.checkouts && a.users == b.users && a.hosts == b.hosts)
                  << what << " row " << i << ": peak " << a.peak_units << "/" << b.peak_units
                  << " unit_ms " << a.unit_ms << "/" << b.unit_ms << " checkouts " << a.checkouts
                  << "/" << b.checkouts << " users " << a.users << "/" << b.users << " hosts "
                  << a.hosts << "/" << b.hosts;
            }
            if (HasFailure()) return compared;
            compared += static_cast<int>(want.size());
          }
        }
      }
    }
    return compared;
  }

  std::vector<domain::UsageRolledHour> rolled_hours() {
    domain::Transaction tx(*db_, domain::TransactionMode::read);
    auto hours = db_->usage_rollups().rolled_hours(0, now() + kHour);
    tx.commit();
    return hours;
  }

  struct License {
    std::int64_t id = 0;
    std::string code;
  };
  std::int64_t msp_ = 0;
  std::vector<std::int64_t> customers_;
  std::vector<License> licenses_;
  std::unique_ptr<domain::UnitOfWork> db_;
};

INSTANTIATE_TEST_SUITE_P(Backends, UsageRollupsTest, kStorageBackends, backend_name);

TEST_P(UsageRollupsTest, ReportsFromRollUpsEqualReportsFromTheRecords) {
  const std::int64_t start = now();
  run_script(5);
  domain::UsageRollupSweep sweep(kRetention);
  sweep.run(*db_, now(), 1000);
  const auto hours = rolled_hours();
  // Every closed hour of the script is rolled up (the first from its first record on).
  ASSERT_GE(hours.size(), 4u);
  for (const auto& hour : hours) EXPECT_GE(hour.records, 0);
  EXPECT_GT(compare_all(start), 500 / kCombinationStride);
}

// The test decides when roll-ups run: the server's own sweep is off
// (usage.rollup_interval_seconds: 0), so only the test's sweeps roll up.
class UsageRollupsPausedTest : public UsageRollupsTest {
 protected:
  void configure(config::Config& config) override { config.usage.rollup_interval_seconds = 0; }
};

INSTANTIATE_TEST_SUITE_P(Backends, UsageRollupsPausedTest, kStorageBackends, backend_name);

TEST_P(UsageRollupsPausedTest, ARecordArrivingLateForARolledUpHourIsRolledUpAgain) {
  const std::int64_t start = now();
  run_script(4);
  domain::UsageRollupSweep sweep(kRetention);
  sweep.run(*db_, now(), 1000);
  const auto before = rolled_hours();
  ASSERT_GE(before.size(), 3u);
  // A lease checked out and in within the second hour rolled up, committed only now (a batch
  // that stalled, an instance whose clock was behind).
  const std::int64_t late_at = before[1].hour_ms + 17 * 60'000;
  {
    auto sql = raw_session();
    const std::string scope =
        "/1/" + std::to_string(msp_) + "/c" + std::to_string(customers_[0]) + "/";
    for (int end = 0; end < 2; ++end) {
      const std::string event = end ? "checkin" : "checkout";
      const std::int64_t at = late_at + end * 60'000;
      const std::int64_t units = 7;
      const std::string user = "late";
      const std::string lease = "late-lease";
      const std::string code;
      const std::string peer = "127.0.0.9";
      const std::string product = "cad";
      soci::indicator since_null = end ? soci::i_ok : soci::i_null;
      std::int64_t since = late_at;
      // On SQLite a record's id carries its time (storage/usage_record_ids.hpp): the last of
      // its millisecond, which no record of the script takes. PostgreSQL numbers its own.
      std::int64_t id = ((at + 1) << 11) - 1;
      const std::string columns = on_postgresql() ? "" : "id, ";
      const std::string values = on_postgresql() ? "" : ":id, ";
      soci::statement insert(*sql);
      if (!on_postgresql()) insert.exchange(soci::use(id));
      insert.exchange(soci::use(at));
      insert.exchange(soci::use(event));
      insert.exchange(soci::use(licenses_[0].id));
      insert.exchange(soci::use(product));
      insert.exchange(soci::use(customers_[0]));
      insert.exchange(soci::use(msp_));
      insert.exchange(soci::use(scope));
      insert.exchange(soci::use(units));
      insert.exchange(soci::use(user));
      insert.exchange(soci::use(user));
      insert.exchange(soci::use(peer));
      insert.exchange(soci::use(lease));
      insert.exchange(soci::use(code));
      insert.exchange(soci::use(since, since_null));
      insert.alloc();
      insert.prepare("INSERT INTO usage_records (" + columns +
                     "at_ms, event, license_id, product_code, customer_id, account_id, scope,"
                     " units, user_name, host, peer, lease_ref, code, since_ms) VALUES (" +
                     values +
                     ":at, :event, :license, :product, :customer, :account, :scope, :units,"
                     " :user_name, :host, :peer, :lease, :code, :since)");
      insert.define_and_bind();
      insert.execute(true);
    }
  }
  // Until a sweep looks again, the roll-up of that hour lacks the late checkout. The server's
  // sweep is off; on (every second by default) it may roll the hour up again at any moment (it
  // did under TSan), and the wait gives it the time to.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  domain::UsageReportQuery query;
  query.from_ms = start - kHour;
  query.to_ms = now();
  query.license_id = licenses_[0].id;
  const auto want = report(false, query);
  const auto stale = report(true, query);
  ASSERT_EQ(want.size(), 1u);
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0].checkouts + 1, want[0].checkouts)
      << "from the records " << want[0].checkouts << ", from the roll-ups " << stale[0].checkouts;
  domain::UsageRollupSweep next_look(kRetention);
  next_look.run(*db_, now(), 1000);
  const auto after = rolled_hours();
  ASSERT_EQ(after.size(), before.size());
  for (const auto& hour : after) EXPECT_GE(hour.records, 0);
  EXPECT_EQ(after[1].records, before[1].records + 2);
  EXPECT_EQ(report(true, query)[0].checkouts, want[0].checkouts);
  EXPECT_GT(compare_all(start), 300 / kCombinationStride);
}

// Issue #16: roll-ups made before each holder's own use of each hour was kept (the migration that
// added usage_hour_holders.hour_use) have holder rows without it. The upgrade marks every hour
// rolled up before as stale, reports replay those hours until the sweep rolls them up again, and
// the sweep does. Without the mark the per-user and per-host reports would read the empty
// hour_use of the old rows and disagree with the replay.
TEST_P(UsageRollupsPausedTest, RollUpsMadeBeforeHolderHoursAreRolledUpAgainAfterTheUpgrade) {
  const std::int64_t start = now();
  run_script(4);
  domain::UsageRollupSweep(kRetention).run(*db_, now(), 1000);
  const auto before = rolled_hours();
  ASSERT_GE(before.size(), 3u);

  // The database as the version before that migration left it: the column is not there, the
  // holder rows are those of the old sweep (the same hours and holders, without hour_use).
  int holder_schema = 0;
  for (const auto& migration : storage::schema_migrations())
    for (const auto& statement : migration.statements)
      if (statement.find("ADD COLUMN hour_use") != std::string::npos)
        holder_schema = migration.version;
  ASSERT_GT(holder_schema, 1) << "no migration adds usage_hour_holders.hour_use";
  const std::int64_t at = now();
  server_->stop();
  server_.reset();
  db_.reset();
  int holder_rows = 0;
  {
    auto sql = raw_session();
    *sql << "SELECT COUNT(*) FROM usage_hour_holders", soci::into(holder_rows);
    *sql << "ALTER TABLE usage_hour_holders DROP COLUMN hour_use";
    // The later migrations run again too: what they made goes, so that the test keeps
    // working as migrations are added after it.
    undo_migrations_after(*sql, holder_schema, on_postgresql());
    *sql << "UPDATE schema_version SET version = " + std::to_string(holder_schema - 1);
  }
  ASSERT_GT(holder_rows, 0);

  // The new lmpd starts on it (its own sweep off: the test decides when roll-ups run).
  server_ = std::make_unique<TestServer>(config_, at);
  db_ = storage::open_unit_of_work(config_.storage);
  {
    auto sql = raw_session();
    int version = 0, empty = -1;
    *sql << "SELECT MAX(version) FROM schema_version", soci::into(version);
    EXPECT_EQ(version, storage::latest_schema_version());
    *sql << "SELECT COUNT(*) FROM usage_hour_holders WHERE hour_use = ''", soci::into(empty);
    EXPECT_EQ(empty, holder_rows);
  }
  const auto stale = rolled_hours();
  ASSERT_EQ(stale.size(), before.size());
  for (const auto& hour : stale) EXPECT_EQ(hour.records, -1) << "hour " << hour.hour_ms;
  // Until the sweep runs, every report still agrees with the replay.
  EXPECT_GT(compare_all(start), 300 / kCombinationStride);

  domain::UsageRollupSweep(kRetention).run(*db_, now(), 1000);
  const auto again = rolled_hours();
  ASSERT_EQ(again.size(), before.size());
  for (std::size_t i = 0; i < again.size(); ++i) {
    EXPECT_EQ(again[i].hour_ms, before[i].hour_ms);
    EXPECT_EQ(again[i].records, before[i].records);
  }
  {
    auto sql = raw_session();
    int empty = -1;
    *sql << "SELECT COUNT(*) FROM usage_hour_holders WHERE hour_use = ''", soci::into(empty);
    EXPECT_EQ(empty, 0) << "holder rows of the old sweep were not rolled up again";
  }
  EXPECT_GT(compare_all(start), 300 / kCombinationStride);
}

}  // namespace
}  // namespace lmp::test
