// The simulated disk of the power-loss test, on its own and under SQLite: what a flush makes
// durable, what a new name needs, how unflushed writes come back torn, and that SQLite through the
// power-loss VFS keeps what it flushed (and, at synchronous=NORMAL, what an Env flush of the WAL
// file covered, as lmpd's WAL flush does).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/daemon_process.hpp"
#include "support/power_loss_disk.hpp"
#include "support/power_loss_env.hpp"
#include "support/power_loss_vfs.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// The folder a reboot finds, with the disk's seed.
std::filesystem::path reboot(const PowerLossDisk& disk, const TempDir& target) {
  disk.materialise(target.path());
  return target.path();
}

TEST(PowerLossDisk, FlushedBytesSurviveAndANewNameNeedsItsFolderFlushed) {
  TempDir dir;
  write_file(dir.path() / "old", "before");
  auto disk = std::make_shared<PowerLossDisk>(dir.path(), PowerLossDisk::Options{});
  auto old_file = disk->open(dir.path() / "old", false);
  ASSERT_TRUE(old_file);
  disk->write(*old_file, 0, "AFTER!", 6);
  ASSERT_TRUE(disk->flush(*old_file));
  // Named durably by the folder flush; its data flushed afterwards.
  auto named = disk->open(dir.path() / "named", true);
  ASSERT_TRUE(disk->flush_folder());
  disk->write(*named, 0, "kept", 4);
  ASSERT_TRUE(disk->flush(*named));
  // Flushed, but created after the folder's flush: its name was never made durable.
  auto unnamed = disk->open(dir.path() / "unnamed", true);
  disk->write(*unnamed, 0, "data", 4);
  ASSERT_TRUE(disk->flush(*unnamed));
  disk->lose_power();

  TempDir after;
  reboot(*disk, after);
  EXPECT_EQ(read_file(after.path() / "old"), "AFTER!");
  EXPECT_FALSE(std::filesystem::exists(after.path() / "unnamed"));
  EXPECT_EQ(read_file(after.path() / "named"), "kept");
}

TEST(PowerLossDisk, ARemovalIsDurableOnlyOnceTheFolderIsFlushed) {
  TempDir dir;
  write_file(dir.path() / "a", "A");
  write_file(dir.path() / "b", "B");
  auto disk = std::make_shared<PowerLossDisk>(dir.path(), PowerLossDisk::Options{});
  disk->remove(dir.path() / "a");
  ASSERT_TRUE(disk->flush_folder());
  disk->remove(dir.path() / "b");
  disk->lose_power();
  TempDir after;
  reboot(*disk, after);
  EXPECT_FALSE(std::filesystem::exists(after.path() / "a"));
  EXPECT_EQ(read_file(after.path() / "b"), "B");
}

// An unflushed write comes back whole, missing or torn, a torn one by whole 512-byte sectors of
// the disk, and never touches a byte it did not write.
TEST(PowerLossDisk, UnflushedWritesComeBackWholeMissingOrTornBySector) {
  TempDir dir;
  write_file(dir.path() / "f", std::string(4096, 'o'));
  int whole = 0;
  int missing = 0;
  int torn = 0;
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    PowerLossDisk::Options options;
    options.seed = seed;
    auto disk = std::make_shared<PowerLossDisk>(dir.path(), options);
    auto file = disk->open(dir.path() / "f", false);
    const std::string written(2000, 'n');
    disk->write(*file, 100, written.data(), written.size());  // bytes 100..2099: sectors 0 to 4
    disk->lose_power();
    TempDir after;
    reboot(*disk, after);
    const std::string bytes = read_file(after.path() / "f");
    ASSERT_EQ(bytes.size(), 4096u);
    int sectors_written = 0;
    for (std::size_t sector = 0; sector < 5; ++sector) {
      const std::size_t from = std::max<std::size_t>(sector * 512, 100);
      const std::size_t to = std::min<std::size_t>(sector * 512 + 512, 2100);
      const std::string part = bytes.substr(from, to - from);
      const bool new_bytes = part == std::string(to - from, 'n');
      ASSERT_TRUE(new_bytes || part == std::string(to - from, 'o')) << "seed " << seed;
      sectors_written += new_bytes ? 1 : 0;
    }
    EXPECT_EQ(bytes.substr(0, 100), std::string(100, 'o'));
    EXPECT_EQ(bytes.substr(2100), std::string(4096 - 2100, 'o'));
    if (sectors_written == 5) ++whole;
    if (sectors_written == 0) ++missing;
    if (sectors_written > 0 && sectors_written < 5) ++torn;
    // The same seed finds the same folder.
    TempDir again;
    reboot(*disk, again);
    EXPECT_EQ(read_file(again.path() / "f"), bytes);
  }
  EXPECT_GT(whole, 0);
  EXPECT_GT(missing, 0);
  EXPECT_GT(torn, 0);
}

TEST(PowerLossDisk, PowerGoesRightAfterTheChosenOperation) {
  TempDir dir;
  write_file(dir.path() / "f", "");
  PowerLossDisk::Options options;
  options.crash_after = 3;
  auto disk = std::make_shared<PowerLossDisk>(dir.path(), options);
  auto file = disk->open(dir.path() / "f", false);
  disk->write(*file, 0, "ab", 2);
  disk->write(*file, 2, "cd", 2);
  EXPECT_FALSE(disk->power_lost());
  EXPECT_TRUE(disk->flush(*file));  // the third: it completes, then the power goes
  EXPECT_TRUE(disk->power_lost());
  disk->write(*file, 4, "ef", 2);  // dropped
  EXPECT_FALSE(disk->flush(*file));
  EXPECT_FALSE(disk->flush_folder());
  EXPECT_EQ(disk->operations(), 3u);
  TempDir after;
  reboot(*disk, after);
  EXPECT_EQ(read_file(after.path() / "f"), "abcd");
}

// fdatasync covers what was written before it started; a write made while it runs may be left
// out, and the model leaves it out.
TEST(PowerLossDisk, AFlushDoesNotCoverWritesMadeWhileItRuns) {
  TempDir dir;
  write_file(dir.path() / "f", "");
  bool second_write_lost_once = false;
  for (std::uint64_t seed = 1; seed <= 20 && !second_write_lost_once; ++seed) {
    PowerLossDisk::Options options;
    options.seed = seed;
    options.flush_latency = std::chrono::milliseconds(200);
    auto disk = std::make_shared<PowerLossDisk>(dir.path(), options);
    auto file = disk->open(dir.path() / "f", false);
    disk->write(*file, 0, "first", 5);
    std::thread flusher([&] { EXPECT_TRUE(disk->flush(*file)); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    disk->write(*file, 5, "second", 6);
    flusher.join();
    disk->lose_power();
    TempDir after;
    reboot(*disk, after);
    const std::string bytes = read_file(after.path() / "f");
    ASSERT_EQ(bytes.substr(0, 5), "first");
    second_write_lost_once = bytes == "first";
  }
  EXPECT_TRUE(second_write_lost_once);
}

TEST(PowerLossEnvTest, FlushesGoToTheDiskAndFailWithEioOnceThePowerIsLost) {
  TempDir dir;
  write_file(dir.path() / "wal", "");
  auto disk = std::make_shared<PowerLossDisk>(dir.path(), PowerLossDisk::Options{});
  PowerLossEnv env(disk);
  std::unique_ptr<SyncableFile> file;
  std::unique_ptr<SyncableFile> folder;
  ASSERT_FALSE(env.open_for_sync((dir.path() / "wal").string(), file));
  ASSERT_FALSE(env.open_for_sync(dir.path().string(), folder));
  EXPECT_EQ(env.open_for_sync((dir.path() / "none").string(), file),
            std::errc::no_such_file_or_directory);
  auto model = disk->open(dir.path() / "wal", false);
  disk->write(*model, 0, "x", 1);
  EXPECT_FALSE(file->sync_data());
  EXPECT_FALSE(folder->sync());
  EXPECT_EQ(disk->operations(), 3u);  // the write and both flushes
  disk->lose_power();
  EXPECT_EQ(file->sync_data(), std::errc::io_error);
  EXPECT_EQ(folder->sync(), std::errc::io_error);
  TempDir after;
  reboot(*disk, after);
  EXPECT_EQ(read_file(after.path() / "wal"), "x");
}

// ---- SQLite through the power-loss VFS ----

class PowerLossVfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A database in WAL mode, made through the real VFS before the disk takes the folder.
    sqlite3* db = open_database(dir_.path() / "t.db", "unix");
    exec(db, "PRAGMA journal_mode=WAL");
    exec(db, "CREATE TABLE t (n INTEGER PRIMARY KEY, text TEXT NOT NULL)");
    ::sqlite3_close(db);
    ASSERT_FALSE(std::filesystem::exists(dir_.path() / "t.db-wal"));
    disk_ = std::make_shared<PowerLossDisk>(dir_.path(), PowerLossDisk::Options{});
    vfs_.attach(disk_);
  }
  void TearDown() override { vfs_.attach(nullptr); }

  static sqlite3* open_database(const std::filesystem::path& path, const char* vfs = nullptr) {
    sqlite3* db = nullptr;
    EXPECT_EQ(::sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs),
              SQLITE_OK);
    return db;
  }
  static void exec(sqlite3* db, const std::string& sql) {
    char* error = nullptr;
    EXPECT_EQ(::sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << sql << ": " << (error ? error : "");
    ::sqlite3_free(error);
  }
  static void insert_rows(sqlite3* db, int from, int to) {
    for (int n = from; n < to; ++n)
      exec(db, "INSERT INTO t VALUES (" + std::to_string(n) + ", '" + std::string(300, 'x') + "')");
  }
  // The rows the folder a reboot finds holds, read through the real VFS after its integrity
  // check; -1 when that check fails.
  int rows_after_reboot() {
    TempDir after;
    disk_->materialise(after.path());
    sqlite3* db = open_database(after.path() / "t.db", "unix");
    sqlite3_stmt* statement = nullptr;
    int rows = -1;
    ::sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &statement, nullptr);
    const bool ok =
        ::sqlite3_step(statement) == SQLITE_ROW &&
        std::string(reinterpret_cast<const char*>(::sqlite3_column_text(statement, 0))) == "ok";
    ::sqlite3_finalize(statement);
    if (ok) {
      ::sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM t", -1, &statement, nullptr);
      if (::sqlite3_step(statement) == SQLITE_ROW) rows = ::sqlite3_column_int(statement, 0);
      ::sqlite3_finalize(statement);
    }
    ::sqlite3_close(db);
    return rows;
  }

  TempDir dir_;
  PowerLossVfs vfs_;
  std::shared_ptr<PowerLossDisk> disk_;
};

// The WAL file is new and its name not yet durable: at synchronous=FULL each commit flushes it,
// and the unix VFS flushes the folder at the first of those flushes.
TEST_F(PowerLossVfsTest, CommitsAtSynchronousFullSurvive) {
  sqlite3* db = open_database(dir_.path() / "t.db");
  exec(db, "PRAGMA synchronous=FULL");
  insert_rows(db, 0, 20);
  disk_->lose_power();
  ::sqlite3_close(db);
  EXPECT_EQ(rows_after_reboot(), 20);
}

// At synchronous=NORMAL SQLite flushes the WAL file at its checkpoints only; lmpd flushes it itself
// through the Env. What that flush covered survives; later commits may or may not, and the
// database is consistent either way.
TEST_F(PowerLossVfsTest, AtSynchronousNormalAnEnvFlushOfTheWalFileKeepsWhatItCovered) {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    TempDir dir;
    std::filesystem::copy_file(dir_.path() / "t.db", dir.path() / "t.db");
    PowerLossDisk::Options options;
    options.seed = seed;
    disk_ = std::make_shared<PowerLossDisk>(dir.path(), options);
    vfs_.attach(disk_);
    PowerLossEnv env(disk_);
    sqlite3* db = open_database(dir.path() / "t.db");
    exec(db, "PRAGMA synchronous=NORMAL");
    insert_rows(db, 0, 10);
    std::unique_ptr<SyncableFile> folder;
    std::unique_ptr<SyncableFile> wal;
    ASSERT_FALSE(env.open_for_sync(dir.path().string(), folder));
    ASSERT_FALSE(env.open_for_sync((dir.path() / "t.db-wal").string(), wal));
    ASSERT_FALSE(folder->sync());
    ASSERT_FALSE(wal->sync_data());
    insert_rows(db, 10, 20);
    disk_->lose_power();
    ::sqlite3_close(db);
    const int rows = rows_after_reboot();
    EXPECT_GE(rows, 10) << "seed " << seed;
    EXPECT_LE(rows, 20) << "seed " << seed;
  }
}

}  // namespace
}  // namespace lmp::test
