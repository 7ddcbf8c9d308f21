// Power loss under a seat workload: the seat engine as production runs it (SeatService over the
// caching store over SQLite, synchronous full, lmpd's own WAL flush) on a simulated disk that loses
// power after a random write or flush. The folder a reboot would find must open, pass SQLite's
// integrity check and hold every acknowledged lease (docs/reliability.md, "Power loss").
//
// LMP_POWER_LOSS_CRASH_POINTS sets how many crash points one run tries (CTest's default is in
// tests/seat/CMakeLists.txt); LMP_POWER_LOSS_SEED replays a run's random choices.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "plugin/daemon_host.hpp"
#include "plugin/registry.hpp"
#include "power_loss_client.hpp"
#include "seat/seat_service.hpp"
#include "storage/caching_seat_store.hpp"
#include "storage/seat_store.hpp"
#include "support/daemon_process.hpp"
#include "support/power_loss_disk.hpp"
#include "support/power_loss_env.hpp"
#include "support/power_loss_vfs.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

using seat::Operation;
using seat::SeatCommand;
using seat::SeatResult;

std::uint64_t number_from_environment(const char* name, std::uint64_t fallback) {
  const char* text = ::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  return std::stoull(text);
}

struct StoredLease {
  std::int64_t license_id = 0;
  std::int64_t units = 0;
  std::int64_t expires_at_ms = 0;
};

// The folder a reboot finds, read with plain SQLite.
class Database {
 public:
  // Through the real "unix" VFS, whatever the default is.
  explicit Database(const std::filesystem::path& path) {
    const int opened = ::sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, "unix");
    if (opened != SQLITE_OK) error_ = "cannot open: " + std::string(::sqlite3_errstr(opened));
    // Closing leaves the WAL file as it was found, for lmpd's store to recover from in turn.
    ::sqlite3_db_config(db_, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  }
  ~Database() { ::sqlite3_close(db_); }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::string& error() const { return error_; }

  // Every row of a query, each column as text; sets error() on failure.
  std::vector<std::vector<std::string>> rows(const char* sql) {
    std::vector<std::vector<std::string>> result;
    if (!error_.empty()) return result;
    sqlite3_stmt* statement = nullptr;
    if (::sqlite3_prepare_v2(db_, sql, -1, &statement, nullptr) != SQLITE_OK) {
      error_ = std::string(sql) + ": " + ::sqlite3_errmsg(db_);
      return result;
    }
    int step = SQLITE_ROW;
    while ((step = ::sqlite3_step(statement)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < ::sqlite3_column_count(statement); ++i) {
        const auto* text = reinterpret_cast<const char*>(::sqlite3_column_text(statement, i));
        row.emplace_back(text == nullptr ? "" : text);
      }
      result.push_back(std::move(row));
    }
    if (step != SQLITE_DONE) error_ = std::string(sql) + ": " + ::sqlite3_errmsg(db_);
    ::sqlite3_finalize(statement);
    return result;
  }

 private:
  sqlite3* db_ = nullptr;
  std::string error_;
};

constexpr int kClients = 3;
constexpr int kRounds = 40;

// Where the run starts: a database with the licenses, either alone (lmpd's SQLite connection then
// creates the WAL file) or with a WAL file close to SQLite's automatic checkpoint (1000 pages),
// so that the run checkpoints and restarts the WAL.
enum class Start { fresh_wal, full_wal };
constexpr int kStarts = 2;

class PowerLossTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { shared_ = new Shared(); }
  static void TearDownTestSuite() {
    delete shared_;
    shared_ = nullptr;
  }

  struct Shared {
    Shared() {
      config = base_config(fresh.path());
      config.storage.synchronous = storage::Synchronous::full;
      for (const std::int64_t units : {3, 8, 1000}) {
        LicenseUnderTest license;
        license.units = units;
        license.code = create_license(config, {.units = units});
        licenses.push_back(license);
      }
      {
        Database db(config.storage.sqlite_path);
        const auto rows = db.rows("SELECT id FROM licenses ORDER BY id");
        for (std::size_t i = 0; i < licenses.size() && i < rows.size(); ++i)
          licenses[i].id = std::stoll(rows[i][0]);
      }
      fill_wal_near_checkpoint();
      std::vector<plugin::LoadFailure> failures;
      registry.load_directory(config.plugin_directory, host, failures);
      std::vector<std::string> errors;
      catalog = seat::ProductCatalog::build(config, registry, errors);
    }

    // A copy of the database whose WAL holds about 950 frames (SQLite checkpoints at 1000):
    // leases inserted and deleted again, one per transaction, so that the data stays the same.
    void fill_wal_near_checkpoint() {
      std::filesystem::copy_file(config.storage.sqlite_path, full.path() / "lmpd.db");
      const auto wal = full.path() / "lmpd.db-wal";
      auto wal_size = [&wal] {
        std::error_code error;
        const auto size = std::filesystem::file_size(wal, error);
        return error ? 0 : size;
      };
      Database db(full.path() / "lmpd.db");
      // No checkpoint, and no real flush per commit (the copy is what counts).
      db.rows("PRAGMA wal_autocheckpoint=0");
      db.rows("PRAGMA synchronous=OFF");
      const std::string license = std::to_string(licenses[2].id);
      for (int batch = 0; wal_size() < 950 * (4096 + 24) && db.error().empty(); ++batch) {
        for (int i = 0; i < 40; ++i)
          db.rows(("INSERT INTO leases VALUES ('filler" + std::to_string(i) + "', " + license +
                   ", 'cad', '', 1, 0, 0)")
                      .c_str());
        for (int i = 0; i < 40; ++i)
          db.rows(("DELETE FROM leases WHERE id = 'filler" + std::to_string(i) + "'").c_str());
      }
      if (!db.error().empty()) throw std::runtime_error(db.error());
      // Copied while the connection is open: closing it would checkpoint and delete the WAL.
      std::filesystem::create_directory(full.path() / "copy");
      std::filesystem::copy_file(full.path() / "lmpd.db", full.path() / "copy" / "lmpd.db");
      std::filesystem::copy_file(wal, full.path() / "copy" / "lmpd.db-wal");
    }

    std::filesystem::path start_folder(Start start) const {
      return start == Start::fresh_wal ? fresh.path() : full.path() / "copy";
    }

    TempDir fresh;
    TempDir full;
    config::Config config;
    std::vector<LicenseUnderTest> licenses;
    ManualClock host_clock{kTestEpochMs};
    plugin::DaemonHost host{host_clock};
    plugin::FamilyRegistry registry;
    std::shared_ptr<const seat::ProductCatalog> catalog;
  };

  struct Run {
    Outcome outcome;
    std::int64_t now_ms = 0;
    std::uint64_t operations = 0;
  };

  // The workload on `disk`'s folder, until the clients are done or the power is lost; then the
  // power is lost if it was not yet.
  Run run_workload(const std::shared_ptr<PowerLossDisk>& disk, std::uint64_t seed) {
    Run run;
    vfs_.attach(disk);
    vfs_.make_default(true);
    PowerLossEnv env(disk);
    storage::Options options = shared_->config.storage;
    options.sqlite_path = (disk->root() / "lmpd.db").string();
    ManualClock clock(kTestEpochMs);
    try {
      seat::SeatServiceOptions service_options;
      service_options.env = &env;
      seat::SeatService service(storage::make_caching_store(storage::open_sqlite(options, env)),
                                shared_->catalog, clock, service_options);
      service.set_durability_lost_handler([] {});
      service.start();
      std::vector<std::unique_ptr<PowerLossClient>> clients;
      std::vector<std::thread> threads;
      for (int i = 0; i < kClients; ++i) {
        clients.push_back(std::make_unique<PowerLossClient>(i, service, clock, shared_->licenses,
                                                            seed + 7919 * i));
        threads.emplace_back([client = clients.back().get()] { client->run(kRounds); });
      }
      for (auto& thread : threads) thread.join();
      disk->lose_power();
      service.stop();
      for (auto& client : clients) run.outcome.merge(client->take_outcome());
    } catch (const std::exception& error) {
      disk->lose_power();
      run.outcome.unexpected.push_back(std::string("the workload stopped: ") + error.what());
    }
    vfs_.attach(nullptr);
    vfs_.make_default(false);
    run.now_ms = clock.now_unix_ms();
    run.operations = disk->operations();
    return run;
  }

  // The promises, against the folder a reboot finds, read with plain SQLite; then through lmpd's
  // store. Empty when all hold.
  std::vector<std::string> check(const std::filesystem::path& folder, const Run& run) {
    std::vector<std::string> problems = run.outcome.unexpected;
    std::map<std::string, StoredLease> stored;
    std::map<std::int64_t, std::int64_t> units_of_license;
    {
      Database db(folder / "lmpd.db");
      const auto integrity = db.rows("PRAGMA integrity_check");
      if (!db.error().empty()) return {db.error()};
      if (integrity.size() != 1 || integrity[0][0] != "ok") {
        std::string report;
        for (const auto& row : integrity) report += " " + row[0];
        problems.push_back("PRAGMA integrity_check:" + report);
        return problems;
      }
      for (const auto& row : db.rows("SELECT id, license_id, units, expires_at_ms FROM leases"))
        stored[row[0]] = {std::stoll(row[1]), std::stoll(row[2]), std::stoll(row[3])};
      for (const auto& row : db.rows("SELECT id, units FROM licenses"))
        units_of_license[std::stoll(row[0])] = std::stoll(row[1]);
      if (!db.error().empty()) return {db.error()};
    }

    std::vector<std::string> must_live;
    int unknown = 0;
    for (const auto& [id, lease] : run.outcome.leases) {
      const auto found = stored.find(id);
      const std::string what = "lease " + id + " (license " + std::to_string(lease.license_id) +
                               ", " + std::to_string(lease.units) + " units), acknowledged by " +
                               lease.acknowledged_by +
                               " with expires=" + std::to_string(lease.expires_s);
      if (lease.checkin == KnownLease::Checkin::acknowledged) {
        if (found != stored.end())
          problems.push_back("lease " + id +
                             ", whose CHECKIN was acknowledged, is in the database");
        continue;
      }
      if (found == stored.end()) {
        if (lease.checkin == KnownLease::Checkin::none)
          problems.push_back(what + ", is missing after the power loss");
        continue;
      }
      if (found->second.license_id != lease.license_id || found->second.units != lease.units)
        problems.push_back(what + ", is in the database with license " +
                           std::to_string(found->second.license_id) + " and " +
                           std::to_string(found->second.units) + " units");
      if (found->second.expires_at_ms < lease.expires_s * 1000)
        problems.push_back(what + ", is in the database expiring earlier, at " +
                           std::to_string(found->second.expires_at_ms) + " ms");
      if (lease.checkin == KnownLease::Checkin::none) must_live.push_back(id);
    }
    for (const auto& [id, lease] : stored)
      if (run.outcome.leases.count(id) == 0) ++unknown;
    if (unknown > run.outcome.unanswered_checkouts)
      problems.push_back(std::to_string(unknown) + " leases in the database that no client was " +
                         "told of, from " + std::to_string(run.outcome.unanswered_checkouts) +
                         " unanswered checkouts");
    std::map<std::int64_t, std::int64_t> in_use;
    for (const auto& [id, lease] : stored)
      if (lease.expires_at_ms > run.now_ms) in_use[lease.license_id] += lease.units;
    for (const auto& [license, units] : in_use)
      if (units > units_of_license[license])
        problems.push_back("license " + std::to_string(license) + " has " + std::to_string(units) +
                           " units in use of its " + std::to_string(units_of_license[license]));
    if (problems.empty()) problems = serve(folder, must_live, run.now_ms);
    return problems;
  }

  // lmpd's store opens the folder and serves: every lease in `must_live` heartbeats, and a
  // checkout is granted. Empty when it does.
  std::vector<std::string> serve(const std::filesystem::path& folder,
                                 const std::vector<std::string>& must_live, std::int64_t now_ms) {
    std::vector<std::string> problems;
    try {
      storage::Options options = shared_->config.storage;
      options.sqlite_path = (folder / "lmpd.db").string();
      ManualClock clock(now_ms);
      seat::SeatService service(storage::make_caching_store(storage::open_sqlite(options)),
                                shared_->catalog, clock, {});
      service.start();
      std::mutex mutex;
      std::condition_variable cv;
      std::size_t answered = 0;
      std::vector<std::pair<std::string, SeatResult>> answers;
      std::vector<seat::SeatService::Submission> submissions;
      auto done = [&](std::string what) {
        return [&, what](SeatResult result) {
          std::lock_guard lock(mutex);
          answers.emplace_back(what, std::move(result));
          ++answered;
          cv.notify_all();
        };
      };
      for (const auto& id : must_live) {
        SeatCommand command;
        command.op = Operation::heartbeat;
        command.lease = id;
        submissions.push_back({command, done("HEARTBEAT lease=" + id), nullptr});
      }
      SeatCommand checkout;
      checkout.op = Operation::checkout;
      checkout.code = shared_->licenses[2].code;
      submissions.push_back({checkout, done("CHECKOUT of a license with free units"), nullptr});
      const std::size_t expected = submissions.size();
      service.submit_many(submissions);
      {
        std::unique_lock lock(mutex);
        if (!cv.wait_for(lock, std::chrono::seconds(30), [&] { return answered == expected; }))
          problems.push_back("the reopened store answered " + std::to_string(answered) + " of " +
                             std::to_string(expected) + " requests within 30 s");
        for (const auto& [what, result] : answers)
          if (!result.ok())
            problems.push_back("after the power loss, " + what + " was answered " + result.message);
      }
      service.stop();
    } catch (const std::exception& error) {
      problems.push_back(std::string("the store cannot open the database: ") + error.what());
    }
    return problems;
  }

  static Shared* shared_;
  PowerLossVfs vfs_;
};

PowerLossTest::Shared* PowerLossTest::shared_ = nullptr;

void copy_folder(const std::filesystem::path& from, const std::filesystem::path& to) {
  for (const auto& entry : std::filesystem::directory_iterator(from))
    if (entry.is_regular_file() && entry.path().filename().string().rfind("lmpd.db", 0) == 0 &&
        entry.path().filename() != "lmpd.db-shm")
      std::filesystem::copy_file(entry.path(), to / entry.path().filename());
}

TEST_F(PowerLossTest, EveryAcknowledgedLeaseSurvivesAPowerLossAtAnyWriteOrFlush) {
  ASSERT_TRUE(shared_->catalog);
  const std::uint64_t crash_points =
      number_from_environment("LMP_POWER_LOSS_CRASH_POINTS", LMP_POWER_LOSS_DEFAULT_CRASH_POINTS);
  const std::uint64_t seed = number_from_environment("LMP_POWER_LOSS_SEED", std::random_device{}());
  std::cout << "power loss: " << crash_points << " crash points, LMP_POWER_LOSS_SEED=" << seed
            << std::endl;
  const auto started = std::chrono::steady_clock::now();

  // A run without a crash tells how many writes and flushes a workload makes.
  std::uint64_t operations[kStarts] = {};
  for (int start = 0; start < kStarts; ++start) {
    TempDir folder;
    copy_folder(shared_->start_folder(static_cast<Start>(start)), folder.path());
    auto disk = std::make_shared<PowerLossDisk>(folder.path(), PowerLossDisk::Options{});
    const Run run = run_workload(disk, seed);
    ASSERT_TRUE(run.outcome.unexpected.empty()) << run.outcome.unexpected.front();
    ASSERT_GT(run.outcome.acknowledged, 0);
    operations[start] = run.operations;
    // Only SQLite's checkpoints write the database file: the run from a full WAL file must reach
    // one, and the one from a fresh WAL file none.
    TempDir after;
    disk->materialise(after.path());
    const bool checkpointed =
        read_file(after.path() / "lmpd.db") !=
        read_file(shared_->start_folder(static_cast<Start>(start)) / "lmpd.db");
    EXPECT_EQ(checkpointed, static_cast<Start>(start) == Start::full_wal);
  }
  std::cout << "power loss: a workload without a crash makes " << operations[0]
            << " writes and flushes on a fresh WAL file, " << operations[1]
            << " on a WAL file that reaches its checkpoint" << std::endl;

  std::uint64_t acknowledged = 0;
  std::uint64_t leases_checked = 0;
  std::uint64_t within = 0;  // crash points the workload reached (runs vary in length)
  for (std::uint64_t point = 0; point < crash_points; ++point) {
    std::mt19937_64 random(seed * 1000003 + point);
    const auto start = static_cast<Start>(point % kStarts);
    PowerLossDisk::Options options;
    options.crash_after = 1 + random() % operations[point % kStarts];
    options.seed = random();
    options.flush_latency = std::chrono::microseconds(random() % 200);
    TempDir folder;
    copy_folder(shared_->start_folder(start), folder.path());
    auto disk = std::make_shared<PowerLossDisk>(folder.path(), options);
    const Run run = run_workload(disk, random());
    TempDir after;
    const std::string found = disk->materialise(after.path());
    const auto problems = check(after.path(), run);
    acknowledged += static_cast<std::uint64_t>(run.outcome.acknowledged);
    if (run.operations == options.crash_after) ++within;
    for (const auto& [id, lease] : run.outcome.leases)
      if (lease.checkin == KnownLease::Checkin::none) ++leases_checked;
    if (problems.empty()) continue;
    // Keep the folder for a look.
    const auto kept = std::filesystem::temp_directory_path() /
                      ("lmpd-power-loss-" + std::to_string(seed) + "-" + std::to_string(point));
    std::filesystem::remove_all(kept);
    std::filesystem::create_directories(kept);
    copy_folder(after.path(), kept);
    std::string report;
    for (const auto& problem : problems) report += "\n  " + problem;
    FAIL() << "crash point " << point << " (LMP_POWER_LOSS_SEED=" << seed << "), power lost after "
           << options.crash_after << " of about " << operations[point % kStarts]
           << " writes and flushes, "
           << (start == Start::fresh_wal ? "fresh WAL file" : "WAL file near its checkpoint")
           << "; the disk " << found << "; the folder is kept in " << kept.string() << ":"
           << report;
  }
  std::cout << "power loss: " << crash_points << " crash points (" << within
            << " reached before the workload ended), " << acknowledged << " acknowledged answers, "
            << leases_checked << " acknowledged leases checked, none lost, in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
            << " s" << std::endl;
}

}  // namespace
}  // namespace lmp::test
