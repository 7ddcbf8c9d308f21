// The SeatStore on a real PostgreSQL server (scripts/start-postgres.sh; the suite finds it
// through LMP_TEST_POSTGRES): migrations run by instances starting together, row locks that
// serialise decisions on one license between sessions, and sweeps that never take a lease twice.
#include <gtest/gtest.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/schema_migrations.hpp"
#include "storage_test_support.hpp"

namespace lmp::storage::testing {
namespace {

const char* server_conninfo() {
  return std::getenv("LMP_TEST_POSTGRES");
}

// A database of its own per test, dropped afterwards.
class PostgresStoreTest : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (server_conninfo() == nullptr)
      GTEST_SKIP() << "LMP_TEST_POSTGRES is not set (scripts/test.sh starts a server and sets it)";
    std::random_device random;
    name_ = "lmp_test_" + std::to_string(random()) + std::to_string(random());
    soci::session admin(soci::postgresql, server_conninfo());
    admin << "CREATE DATABASE " + name_;
    storage_.backend = Backend::postgresql;
    storage_.postgresql_connection = std::string(server_conninfo()) + " dbname=" + name_;
  }
  void TearDown() override {
    StorageTest::TearDown();
    if (name_.empty()) return;
    soci::session admin(soci::postgresql, server_conninfo());
    admin << "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)";
  }
  std::unique_ptr<SeatStore> open() const { return open_postgresql(storage_); }
  soci::session raw() const {
    return soci::session(soci::postgresql, storage_.postgresql_connection);
  }

  std::string name_;
};

TEST_F(PostgresStoreTest, InstancesStartingTogetherMigrateOnce) {
  std::vector<std::future<void>> opening;
  for (int i = 0; i < 4; ++i) opening.push_back(std::async(std::launch::async, [this] { open(); }));
  for (auto& f : opening) EXPECT_NO_THROW(f.get());
  auto sql = raw();
  int rows = 0, version = 0;
  sql << "SELECT COUNT(*), MAX(version) FROM schema_version", soci::into(rows), soci::into(version);
  EXPECT_EQ(rows, 1);
  EXPECT_EQ(version, latest_schema_version());
  // The lease indexes exist here, where no instance can keep leases in memory.
  int indexes = 0;
  sql << "SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'leases' AND indexname LIKE "
         "'leases_by_%'",
      soci::into(indexes);
  EXPECT_EQ(indexes, 4);
}

TEST_F(PostgresStoreTest, KeepsTheSeatStoreContract) {
  auto store = open();
  const std::int64_t license = make_license(*store, 1, 3);
  auto found = store->find_license_by_code_hash(fake_hash(1));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, license);
  EXPECT_EQ(found->customer_name, "Acme");
  EXPECT_THROW(make_license(*store, 1), DuplicateError);
  const std::int64_t generation = store->license_generation();
  make_license(*store, 2);
  EXPECT_EQ(store->license_generation(), generation + 1);

  store->begin();
  store->lock_license(license);
  store->insert_lease(lease(10, license, kNow + 60'000, "seat:ann@pc1", 2));
  store->insert_lease(lease(11, license, kNow - 1, "", 1));  // already expired
  store->commit();
  EXPECT_EQ(store->units_in_use(license, kNow), 2);
  auto held = store->find_live_lease_by_holder(license, "cad", "seat:ann@pc1", kNow);
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->id, fake_hash(10));
  store->set_lease_expiry(fake_hash(10), kNow + 120'000);
  EXPECT_EQ(store->find_lease(fake_hash(10))->expires_at_ms, kNow + 120'000);
  auto reclaimed = store->reclaim_expired(kNow, 100);
  ASSERT_EQ(reclaimed.size(), 1u);
  EXPECT_EQ(reclaimed[0].id, fake_hash(11));
  EXPECT_EQ(store->lease_count(), 1);
  store->delete_lease(fake_hash(10));
  EXPECT_EQ(store->units_in_use(license, kNow), 0);
  EXPECT_THROW(store->lock_license(license), StoreError);  // outside a transaction
}

TEST_F(PostgresStoreTest, ReleasedLeasesAreFoundByReferenceAndRememberedForAWhile) {
  auto store = open();
  check_released_leases(*store, make_license(*store, 1));
}

TEST_F(PostgresStoreTest, UsageRecordsAreWrittenWithTheirTransactionAndPrunedOldestFirst) {
  auto store = open();
  check_usage_records(*store, make_license(*store, 1));
}

TEST_F(PostgresStoreTest, LockLicenseMakesAnotherInstanceWaitAndThenSeeTheLease) {
  auto first = open();
  auto second = open();
  const std::int64_t license = make_license(*first, 1, 1);
  first->begin();
  first->lock_license(license);
  auto decided = std::async(std::launch::async, [&] {
    second->begin();
    second->lock_license(license);
    // What the second instance counts once it holds the lock.
    const std::int64_t used = second->units_in_use(license, kNow);
    second->commit();
    return used;
  });
  // The second decision cannot go ahead while the first holds the license.
  EXPECT_EQ(decided.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  first->insert_lease(lease(10, license, kNow + 60'000));
  first->commit();
  EXPECT_EQ(decided.get(), 1);  // it saw the unit the first instance granted
}

TEST_F(PostgresStoreTest, ConcurrentSweepsNeverTakeOneLeaseTwice) {
  auto first = open();
  auto second = open();
  const std::int64_t license = make_license(*first, 1, 100);
  first->begin();
  for (int i = 0; i < 40; ++i) first->insert_lease(lease(100 + i, license, kNow - 1000 + i));
  first->commit();

  first->begin();
  second->begin();
  auto a = first->reclaim_expired(kNow, 25);
  auto b = second->reclaim_expired(kNow, 25);  // skips the rows the first sweep holds
  first->commit();
  second->commit();
  std::set<std::string> ids;
  for (const auto& l : a) ids.insert(l.id);
  for (const auto& l : b) EXPECT_TRUE(ids.insert(l.id).second) << "reclaimed twice: " << l.id;
  EXPECT_EQ(a.size(), 25u);
  EXPECT_EQ(b.size(), 15u);
  EXPECT_EQ(first->lease_count(), 0);
}

}  // namespace
}  // namespace lmp::storage::testing
