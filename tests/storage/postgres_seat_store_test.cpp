// The SeatStore on a real PostgreSQL server (scripts/start-postgres.sh; the suite finds it
// through LMP_TEST_POSTGRES): migrations run by instances starting together (also the one that
// keys stored secrets), the server secret the instances share, row locks that serialise decisions
// on one license between sessions, and sweeps that never take a lease twice.
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

#include "core/sha256.hpp"
#include "storage/schema_migrations.hpp"
#include "storage/stored_secrets.hpp"
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
    // On PostgreSQL the administrator makes the server secret, once for every instance.
    storage_.secret_file = (dir_ / "shared.secret").string();
    std::string secret(StoredSecrets::kSecretSize, '\x5a');
    ASSERT_FALSE(Env::posix().create_file(storage_.secret_file, secret));
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

TEST_F(PostgresStoreTest, InstancesSharingTheSecretShareLeasesAndAnotherSecretIsRefused) {
  auto first = open();
  auto second = open();
  const std::int64_t license = make_license(*first, 1, 3);
  first->begin();
  first->insert_lease(lease(10, license, kNow + 60'000, "seat:ann@pc1", 1));
  first->commit();
  // The other instance finds the lease by the id its client holds, and reads that id back.
  EXPECT_TRUE(second->find_lease(fake_hash(10)).has_value());
  second->begin();
  EXPECT_EQ(second->find_live_lease_by_holder(license, "cad", "seat:ann@pc1", kNow)->id,
            fake_hash(10));
  EXPECT_TRUE(second->find_license_by_code_hash(fake_hash(1)).has_value());
  second->commit();

  Options other = storage_;
  other.secret_file = (dir_ / "other.secret").string();
  ASSERT_FALSE(
      Env::posix().create_file(other.secret_file, std::string(StoredSecrets::kSecretSize, '\x33')));
  try {
    open_postgresql(other);
    FAIL() << "an instance with another server secret opened the database";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("is not the one this database was made with"),
              std::string::npos)
        << e.what();
  }
  other.secret_file = (dir_ / "missing.secret").string();
  try {
    open_postgresql(other);
    FAIL() << "an instance without its server secret opened the database";
  } catch (const StoreError& e) {
    // Never made by lmpd on PostgreSQL: every instance must read the same one.
    EXPECT_NE(std::string(e.what()).find("make it once"), std::string::npos) << e.what();
    EXPECT_FALSE(std::filesystem::exists(other.secret_file));
  }
}

TEST_F(PostgresStoreTest, AVersionSevenDatabaseMigratesToKeyedSecrets) {
  const std::string code_digest = sha256_hex("48213093775162088274");
  const std::string lease_id = "9f0c5e1b7a2d4c3e8b6a1f0e9d8c7b6a";
  const std::string holder_key = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  const std::string proof_digest = sha256_hex(holder_key);
  const std::int64_t live = kNow + 60'000;
  {
    // The schema of version 7 as lmpd made it on PostgreSQL, with its plain digests and ids.
    auto sql = raw();
    for (const auto& migration : schema_migrations()) {
      if (migration.version > 7) break;
      for (const auto& statement : migration.statements)
        if (!statement.starts_with("{sqlite_only}"))
          sql << render_statement(statement, kPostgresDialect);
    }
    sql << "CREATE TABLE schema_version (version INTEGER NOT NULL)";
    sql << "INSERT INTO schema_version (version) VALUES (7)";
    sql << "INSERT INTO customers (name, created_at_ms) VALUES ('Acme', 1)";
    sql << "INSERT INTO licenses (customer_id, product_code, units, unit, starts_at_ms,"
           " expires_at_ms, code_hash, created_at_ms) VALUES (1, 'cad', 9, 'seats', 0,"
           " 9000000000000, :hash, 1)",
        soci::use(code_digest);
    sql << "INSERT INTO leases (id, license_id, product_code, holder, holder_proof, units,"
           " issued_at_ms, expires_at_ms) VALUES (:id, 1, 'cad', 'seat:ann@ws1', :proof, 2, 0,"
           " :expires)",
        soci::use(lease_id), soci::use(proof_digest), soci::use(live);
  }
  // Two instances with the shared secret start together: one migrates, both serve the lease.
  auto first = std::async(std::launch::async, [&] { return open(); });
  auto second = open();
  auto other = first.get();
  for (SeatStore* store : {second.get(), other.get()}) {
    auto lease = store->find_lease(lease_id);
    ASSERT_TRUE(lease.has_value());
    EXPECT_EQ(lease->holder_proof, store->holder_proof(holder_key));
    store->begin();
    auto held = store->find_live_lease_by_holder(1, "cad", "seat:ann@ws1", kNow);
    ASSERT_TRUE(held.has_value());
    EXPECT_EQ(held->id, lease_id);
    EXPECT_TRUE(store->find_license_by_code_hash(code_digest).has_value());
    store->commit();
  }
  auto sql = raw();
  int version = 0;
  sql << "SELECT MAX(version) FROM schema_version", soci::into(version);
  EXPECT_EQ(version, latest_schema_version());
  for (const char* query : {"SELECT code_hash FROM licenses", "SELECT id FROM leases",
                            "SELECT sealed_id FROM leases", "SELECT holder_proof FROM leases"}) {
    std::string value;
    sql << query, soci::into(value);
    SCOPED_TRACE(query);
    EXPECT_FALSE(value.empty());
    for (const std::string& secret : {code_digest, lease_id, holder_key, proof_digest})
      EXPECT_EQ(value.find(secret), std::string::npos) << secret;
  }
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

TEST_F(PostgresStoreTest, InstancesWithDifferentClocksNeverMoveAMarkBack) {
  auto ahead = open();
  auto behind = open();
  const std::int64_t license = make_license(*ahead, 1);
  // Two instances write in turn, the second's clock two seconds behind the first's.
  for (int i = 0; i < 3; ++i) {
    const std::int64_t now = kNow + i * 60'000;
    ahead->begin();
    ahead->advance_license_clock_mark(license, now);
    ahead->advance_server_clock_mark(now);
    ahead->commit();
    behind->begin();
    behind->advance_license_clock_mark(license, now - 2000);
    behind->advance_server_clock_mark(now - 2000);
    behind->commit();
    EXPECT_EQ(behind->server_clock_mark(), now);
    EXPECT_EQ(behind->find_license(license)->clock_mark_ms, now);
  }
  // The server's mark counts for a license whose own is earlier.
  const std::int64_t other = make_license(*ahead, 2);
  EXPECT_EQ(behind->find_license(other)->clock_mark_ms, kNow + 120'000);
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

// A site policy counts over a customer's licenses of one product together: locking one locks
// them all, so a decision on the second waits for the first's commit and counts its lease.
TEST_F(PostgresStoreTest, LockLicenseLocksTheCustomersOtherLicensesOfTheProductToo) {
  auto first = open();
  auto second = open();
  const std::int64_t license = make_license(*first, 1, 1);
  const std::int64_t renewal = make_license(*first, 2, 1);  // the same customer and product
  first->begin();
  const auto both = first->customer_licenses(first->find_license(license)->customer_id, "cad");
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].id, license);
  EXPECT_EQ(both[1].id, renewal);
  first->lock_license(license);
  auto decided = std::async(std::launch::async, [&] {
    second->begin();
    second->lock_license(renewal);
    const std::int64_t used = second->units_in_use(license, kNow);
    second->commit();
    return used;
  });
  EXPECT_EQ(decided.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  first->insert_lease(lease(10, license, kNow + 60'000));
  first->commit();
  EXPECT_EQ(decided.get(), 1);
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
