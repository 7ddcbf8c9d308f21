// The SeatStore on a real PostgreSQL server (scripts/start-postgres.sh; the suite finds it
// through LMP_TEST_POSTGRES): migrations run by instances starting together (also the one that
// keys stored secrets), the server secret the instances share, row locks that serialise decisions
// on one license between sessions, and sweeps that never take a lease twice.
#include <gtest/gtest.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/sha256.hpp"
#include "domain/product_lifecycle_repository.hpp"
#include "storage/database_listener.hpp"
#include "storage/database_news.hpp"
#include "storage/schema_migrations.hpp"
#include "storage/sql_repositories.hpp"
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

TEST_F(PostgresStoreTest, UnitsInUseCountsOnlyLiveLeases) {
  auto store = open();
  check_units_in_use(*store);
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
  // The lock goes to the server with the store's next statement, the count a decision reads
  // (lock and count in one round trip).
  EXPECT_EQ(first->units_in_use(license, kNow), 0);
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
  EXPECT_EQ(first->units_in_use(license, kNow), 0);
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

// Sweeps select leases and their license rows FOR UPDATE SKIP LOCKED: they take disjoint
// leases, and a sweep skips a license another session holds (here the first sweep's) instead of
// waiting for it, since both run on this one thread a wait would never end.
TEST_F(PostgresStoreTest, ConcurrentSweepsNeverTakeOneLeaseTwice) {
  auto first = open();
  auto second = open();
  const std::int64_t a = make_license(*first, 1, 100);
  const std::int64_t b = make_license(*first, 2, 100);
  first->begin();
  // License a's 20 leases expired first, then b's 20.
  for (int i = 0; i < 20; ++i) first->insert_lease(lease(100 + i, a, kNow - 1000 + i));
  for (int i = 0; i < 20; ++i) first->insert_lease(lease(200 + i, b, kNow - 500 + i));
  first->commit();

  first->begin();
  second->begin();
  auto x = first->reclaim_expired(kNow, 15);   // a's oldest 15, and license a's row
  auto y = second->reclaim_expired(kNow, 25);  // skips a's other 5 (their license is held)
  first->commit();
  second->commit();
  std::set<std::string> ids;
  for (const auto& l : x) ids.insert(l.id);
  for (const auto& l : y) {
    EXPECT_TRUE(ids.insert(l.id).second) << "reclaimed twice: " << l.id;
    EXPECT_EQ(l.license_id, b);
  }
  EXPECT_EQ(x.size(), 15u);
  EXPECT_EQ(y.size(), 20u);
  EXPECT_EQ(first->lease_count(), 5);  // left to the next sweep
  EXPECT_EQ(second->reclaim_expired(kNow, 25).size(), 5u);
  EXPECT_EQ(first->lease_count(), 0);
  for (const auto& count : first->units_held_counts(0, 10)) EXPECT_EQ(count.counter, 0);
}

// The units-held counter (schema 25) after every kind of lease change, on whatever path makes
// it: each license's counter equals the units of its stored leases, and the check sees it so.
class UnitsHeldTest : public PostgresStoreTest {
 protected:
  // Every license's counter, after checking it against its leases.
  std::map<std::int64_t, std::int64_t> counters(SeatStore& store) {
    std::map<std::int64_t, std::int64_t> out;
    for (const auto& count : store.units_held_counts(0, 1000)) {
      EXPECT_EQ(count.counter, count.leases) << "license " << count.license_id;
      out[count.license_id] = count.counter;
    }
    return out;
  }
};

TEST_F(UnitsHeldTest, FollowsEveryKindOfLeaseChange) {
  auto store = open();
  const std::int64_t license = make_license(*store, 1, 20);
  const std::int64_t other = make_license(*store, 2, 20);
  auto held = [&] { return counters(*store)[license]; };
  EXPECT_EQ(held(), 0);

  // Checkouts, one of them a borrow.
  store->begin();
  store->lock_license(license);
  store->insert_lease(lease(10, license, kNow + 60'000, "seat:ann@pc1", 2));
  LeaseRecord borrowed = lease(11, license, kNow + 600'000, "", 3);
  borrowed.borrowed = true;
  store->insert_lease(borrowed);
  store->commit();
  EXPECT_EQ(held(), 5);
  EXPECT_EQ(store->units_in_use(license, kNow), 5);

  // A rolled-back checkout leaves the counter as it was.
  store->begin();
  store->insert_lease(lease(12, license, kNow + 60'000, "", 4));
  EXPECT_EQ(store->units_in_use(license, kNow), 9);  // its own transaction sees it
  store->rollback();
  EXPECT_EQ(held(), 5);

  // Heartbeats, a clock step, a linger: the units stay held.
  store->renew_lease(fake_hash(10), kNow + 120'000, kNow);
  store->set_lease_expiry(fake_hash(10), kNow + 130'000);
  store->linger_lease(fake_hash(10), kNow + 140'000);
  EXPECT_EQ(held(), 5);

  // An expired lease still held until the sweep: counted, but not in use.
  store->begin();
  store->insert_lease(lease(13, license, kNow - 1, "", 7));
  store->commit();
  EXPECT_EQ(held(), 12);
  EXPECT_EQ(store->units_in_use(license, kNow), 5);
  EXPECT_EQ(store->reclaim_expired(kNow, 100).size(), 1u);
  EXPECT_EQ(held(), 5);
  EXPECT_EQ(store->units_in_use(license, kNow), 5);

  // A checkin, and a release by an administrator.
  store->delete_lease(fake_hash(10));
  EXPECT_EQ(held(), 3);
  store->begin();
  auto found = store->find_lease_by_ref(store->find_lease(fake_hash(11))->ref);
  ASSERT_TRUE(found.has_value());
  store->delete_lease(found->id);
  store->revoke_lease(*found, "gone", kNow, kNow + 60'000);
  store->commit();
  EXPECT_EQ(held(), 0);

  // A lease whose units change, or that moves to another license, by hand; and a change of the
  // license's own units, which leaves what is held alone.
  store->begin();
  store->insert_lease(lease(14, license, kNow + 60'000, "", 1));
  store->commit();
  auto sql = raw();
  sql << "UPDATE leases SET units = 6";
  EXPECT_EQ(held(), 6);
  sql << "UPDATE leases SET license_id = " + std::to_string(other);
  EXPECT_EQ(held(), 0);
  EXPECT_EQ(counters(*store)[other], 6);
  sql << "UPDATE licenses SET units = 9 WHERE id = " + std::to_string(other);
  EXPECT_EQ(counters(*store)[other], 6);
}

TEST_F(UnitsHeldTest, AnEndOfLifeDeletionTakesTheCountedUnitsWithItsLicenses) {
  auto store = open();
  const std::int64_t deleted = make_license(*store, 1, 20);
  const std::int64_t kept = make_license(*store, 2, 5, "cam");
  store->begin();
  store->insert_lease(lease(10, deleted, kNow + 60'000, "", 2));
  LeaseRecord cam = lease(11, kept, kNow + 60'000, "", 3);
  cam.product_code = "cam";
  store->insert_lease(cam);
  store->commit();

  auto sql = raw();
  sql << "BEGIN";
  const auto deletion = sql_product_lifecycle_repository(sql)->delete_product_data("cad", kNow);
  sql << "COMMIT";
  EXPECT_EQ(deletion.leases, 1);
  const auto left = counters(*store);
  EXPECT_EQ(left.count(deleted), 0u);
  EXPECT_EQ(left.at(kept), 3);
}

// Instances changing leases of one license at once: the trigger's update waits for the row lock
// like the seat path's own decision, so no change is lost.
TEST_F(UnitsHeldTest, StaysExactUnderSeveralInstancesAtOnce) {
  auto setup = open();
  const std::int64_t license = make_license(*setup, 1, 100'000);
  std::vector<std::future<void>> instances;
  for (int instance = 0; instance < 4; ++instance) {
    instances.push_back(std::async(std::launch::async, [&, instance] {
      auto store = open();
      for (int i = 0; i < 50; ++i) {
        const int seed = 1000 * (instance + 1) + i;
        store->begin();
        store->lock_license(license);
        store->insert_lease(lease(seed, license, kNow + 60'000, "", 1 + i % 3));
        store->commit();
        // Every other lease checked in again without the license lock, as a checkin does.
        if (i % 2 == 0) store->delete_lease(fake_hash(seed));
      }
    }));
  }
  for (auto& instance : instances) instance.get();
  std::int64_t expected = 0;
  for (int i = 1; i < 50; i += 2) expected += 4 * (1 + i % 3);
  EXPECT_EQ(counters(*setup)[license], expected);
  EXPECT_EQ(setup->units_in_use(license, kNow), expected);
}

TEST_F(UnitsHeldTest, ACounterCorruptedByHandShowsInTheComparison) {
  auto store = open();
  const std::int64_t license = make_license(*store, 1, 20);
  store->begin();
  store->insert_lease(lease(10, license, kNow + 60'000, "", 2));
  store->commit();
  raw() << "UPDATE licenses SET units_held = 9";
  const auto slice = store->units_held_counts(0, 10);
  ASSERT_EQ(slice.size(), 1u);
  EXPECT_EQ(slice[0].counter, 9);
  EXPECT_EQ(slice[0].leases, 2);
  // Slices go by license id.
  const std::int64_t next = make_license(*store, 2, 20);
  EXPECT_EQ(store->units_held_counts(0, 1).at(0).license_id, license);
  EXPECT_EQ(store->units_held_counts(license, 1).at(0).license_id, next);
  EXPECT_TRUE(store->units_held_counts(next, 1).empty());
}

// One round trip per batch (docs/scale-out.md): on PostgreSQL the seat path's lease and usage
// writes and its license lock are held back and sent with the next statement that needs them, or
// at commit. The same transaction played on SQLite, which sends every statement at once, and on
// PostgreSQL ends with the same leases and usage records, reads the same answers inside the
// transaction, and leaves every units-held counter equal to its leases.
class HeldBackWritesTest : public UnitsHeldTest {
 protected:
  struct Played {
    std::vector<std::string> answers;  // what the transaction read, in order
    std::vector<std::string> leases;   // every stored lease, every field, by id
  };

  static std::string row(const LeaseRecord& l) {
    return l.id + " " + std::to_string(l.license_id) + " " + l.product_code + " " + l.holder + " " +
           l.holder_proof + " " + std::to_string(l.units) + " " + std::to_string(l.issued_at_ms) +
           " " + std::to_string(l.expires_at_ms) + " " + l.ref + " " + l.user + " " + l.host + " " +
           l.peer + " " + std::to_string(l.heartbeat_at_ms) + " " + std::to_string(l.borrowed) +
           " " + std::to_string(l.lingering) + " " + l.instance;
  }

  static LeaseRecord full_lease(int seed, std::int64_t license, std::int64_t expires,
                                const std::string& holder, std::int64_t units) {
    LeaseRecord l = lease(seed, license, expires, holder, units);
    l.ref = "00000000000000" + std::to_string(seed);
    l.user = "user" + std::to_string(seed);
    l.host = "host \"" + std::to_string(seed) + "\" \\ é";  // quotes, a backslash, UTF-8
    l.peer = "10.0.0." + std::to_string(seed);
    l.heartbeat_at_ms = kNow - 500;
    l.instance = "i1";
    return l;
  }

  // The `nth` record of the script: times in the order written, because on SQLite a record's
  // time never goes back (storage/usage_record_ids.hpp).
  static domain::UsageRecord usage(std::string_view event, std::int64_t license, int seed,
                                   bool with_optionals, int nth) {
    domain::UsageRecord r;
    r.at_ms = kNow + 100 + nth;
    r.event = event;
    r.license_id = license;
    r.product_code = "cad";
    r.customer_id = 1;
    if (with_optionals) {
      r.account_id = 7;
      r.since_ms = kNow - seed;
    }
    r.scope = "/c1/";
    r.units = seed % 3 + 1;
    r.user = "user" + std::to_string(seed);
    r.host = "host'" + std::to_string(seed);
    r.peer = "10.0.0.1";
    r.lease_ref = "00000000000000" + std::to_string(seed);
    r.code = with_optionals ? "no_seats" : "";
    return r;
  }

  // A batch of checkouts, heartbeats, checkins, a linger, a clock step's expiry change and an
  // administrator's release, with the reads a seat decision makes between them.
  static Played play(SeatStore& store) {
    Played out;
    auto say = [&](const std::string& what) { out.answers.push_back(what); };
    const std::int64_t one = make_license(store, 1, 10);
    const std::int64_t two = make_license(store, 2, 10);
    store.begin();
    store.insert_lease(full_lease(10, one, kNow + 60'000, "h10", 2));
    store.insert_lease(full_lease(11, one, kNow + 60'000, "", 1));
    store.insert_lease(full_lease(12, two, kNow + 60'000, "h12", 3));
    store.insert_lease(full_lease(13, one, kNow - 1, "", 4));  // expired, not reclaimed yet
    store.insert_lease(full_lease(14, one, kNow + 60'000, "", 1));
    store.insert_lease(full_lease(15, one, kNow + 60'000, "", 1));
    store.insert_lease(full_lease(16, one, kNow + 60'000, "", 1));
    store.insert_lease(full_lease(17, two, kNow + 60'000, "h17", 1));
    store.commit();

    store.begin();
    // The batch's heartbeats and checkins, announced (one read on PostgreSQL): 10 and 11 are
    // asked before any change; 12 to 17, 24 and 25 are changed before their first ask (24 and
    // 25 inserted after this); 99 and 30 are not there.
    store.expect_leases({fake_hash(10), fake_hash(11), fake_hash(12), fake_hash(13), fake_hash(14),
                         fake_hash(15), fake_hash(16), fake_hash(17), fake_hash(24), fake_hash(25),
                         fake_hash(99), fake_hash(30)});
    auto expires = [&](int seed) {
      const auto found = store.find_lease(fake_hash(seed));
      return found ? std::to_string(found->expires_at_ms) : std::string("none");
    };
    // A checkin, a heartbeat, a linger and a checkout of leases not asked for first.
    store.delete_lease(fake_hash(15));
    store.renew_lease(fake_hash(16), kNow + 100'000, kNow);
    store.linger_lease(fake_hash(17), kNow + 20'000);
    store.insert_lease(full_lease(25, two, kNow + 60'000, "h25", 1));
    // A checkout on license one.
    store.lock_license(one);
    say("units " + std::to_string(store.units_in_use(one, kNow)));
    store.insert_lease(full_lease(20, one, kNow + 60'000, "h20", 1));
    store.append_usage(usage("checkout", one, 20, false, 0));
    // A heartbeat and a checkin.
    say("found " + std::to_string(store.find_lease(fake_hash(10)).has_value()));
    store.renew_lease(fake_hash(10), kNow + 120'000, kNow);
    say("found " + std::to_string(store.find_lease(fake_hash(11)).has_value()));
    store.delete_lease(fake_hash(11));
    store.append_usage(usage("checkin", one, 11, true, 1));
    // The checkin seen by the next read of the lease, and by the next checkout's count.
    say("found " + std::to_string(store.find_lease(fake_hash(11)).has_value()));
    store.lock_license(one);
    say("units " + std::to_string(store.units_in_use(one, kNow)));
    // A checkout that a repeated checkout of its holder reuses in the same batch.
    store.insert_lease(full_lease(21, two, kNow + 60'000, "h21", 2));
    auto reused = store.find_live_lease_by_holder(two, "cad", "h21", kNow);
    say(reused ? row(*reused) : "none");
    store.renew_lease(fake_hash(21), kNow + 90'000, kNow + 1);
    say("expires " + std::to_string(store.find_lease(fake_hash(21))->expires_at_ms));
    // Granted and checked in again within the batch: it never was.
    store.insert_lease(full_lease(22, two, kNow + 60'000, "", 1));
    store.delete_lease(fake_hash(22));
    // Lingering, then taken back by its holder; a clock step's new expiry of the expired one.
    store.linger_lease(fake_hash(12), kNow + 30'000);
    store.renew_lease(fake_hash(12), kNow + 150'000, kNow + 2);
    store.set_lease_expiry(fake_hash(13), kNow + 500);
    store.append_usage(usage("extended", two, 12, false, 2));
    // Changes of one lease with no read between them (merged into one change when held back).
    store.insert_lease(full_lease(23, two, kNow + 60'000, "h23", 1));
    store.linger_lease(fake_hash(23), kNow + 40'000);
    store.insert_lease(full_lease(24, two, kNow + 60'000, "h24", 1));
    store.renew_lease(fake_hash(24), kNow + 70'000, kNow + 3);
    store.set_lease_expiry(fake_hash(24), kNow + 80'000);
    store.renew_lease(fake_hash(14), kNow + 70'000, kNow + 3);
    store.delete_lease(fake_hash(14));
    // A heartbeat of a lease that is not there changes nothing.
    store.renew_lease(fake_hash(99), kNow + 1, kNow + 1);
    // An administrator's release of the batch's first checkout.
    store.lock_license(one);
    auto released = store.find_lease_by_ref("0000000000000020");
    say(released ? row(*released) : "none");
    if (released) {
      store.delete_lease(released->id);
      store.revoke_lease(*released, "released", kNow, kNow + 60'000);
    }
    store.append_usage(usage("release", one, 20, true, 3));
    say("units " + std::to_string(store.units_in_use(one, kNow)));
    say("units " + std::to_string(store.units_in_use(two, kNow)));
    say("holdings " + std::to_string(store.live_holdings(two, kNow).size()));
    // The announced leases asked after their changes, and 10 asked a second time.
    for (int seed : {12, 13, 14, 15, 16, 17, 24, 25, 10, 99, 30}) say("expires " + expires(seed));
    store.commit();

    std::vector<LeaseRecord> stored;
    store.for_each_lease([&](const LeaseRecord& l) { stored.push_back(l); });
    std::sort(stored.begin(), stored.end(),
              [](const LeaseRecord& a, const LeaseRecord& b) { return a.id < b.id; });
    for (const auto& l : stored) out.leases.push_back(row(l));
    return out;
  }

  // Every usage record, in the order written, every column as text (the same on both).
  static std::vector<std::string> usage_rows(soci::session& sql) {
    std::vector<std::string> out;
    std::string query = "SELECT ";
    for (const char* column : {"at_ms", "event", "license_id", "product_code", "customer_id",
                               "COALESCE(account_id, -1)", "scope", "units", "user_name", "host",
                               "peer", "lease_ref", "code", "COALESCE(since_ms, -1)"})
      query += std::string(query.size() > 7 ? ", " : "") + "CAST(" + column + " AS TEXT)";
    soci::rowset<soci::row> rows = sql.prepare << query + " FROM usage_records ORDER BY id";
    for (const auto& r : rows) {
      std::string line;
      for (std::size_t i = 0; i < r.size(); ++i) line += r.get<std::string>(i) + "|";
      out.push_back(line);
    }
    return out;
  }
};

TEST_F(HeldBackWritesTest, EndWithTheRowsOfStatementsSentOneByOne) {
  auto lite = open_sqlite(storage_);
  const Played expected = play(*lite);
  auto pg = open();
  const Played played = play(*pg);
  EXPECT_EQ(played.answers, expected.answers);
  EXPECT_EQ(played.leases, expected.leases);
  ASSERT_EQ(played.leases.size(), 9u);  // 10, 12, 13, 16, 17, 21, 23, 24 and 25
  soci::session lite_sql(soci::sqlite3, "db=\"" + storage_.sqlite_path + "\" timeout=1");
  auto pg_sql = raw();
  const auto records = usage_rows(pg_sql);
  EXPECT_EQ(records, usage_rows(lite_sql));
  EXPECT_EQ(records.size(), 4u);
  const auto held = counters(*pg);               // each equal to its leases
  EXPECT_EQ(held.at(1), 2 + 4 + 1);              // 10, 13 and 16
  EXPECT_EQ(held.at(2), 3 + 2 + 1 + 1 + 1 + 1);  // 12, 17, 21, 23, 24 and 25
  EXPECT_EQ(pg->find_revoked_lease(fake_hash(20), kNow), "released");
}

// The leases a batch announces are read in one statement: the first ask of each is answered from
// it (a commit of another instance since is not seen, as it would not be had that ask come
// first), a second ask reads again.
TEST_F(HeldBackWritesTest, AnnouncedLeasesAreReadInOneStatement) {
  auto store = open();
  auto other = open();
  const std::int64_t license = make_license(*store, 1, 10);
  store->begin();
  store->insert_lease(lease(10, license, kNow + 60'000, "", 1));
  store->insert_lease(lease(11, license, kNow + 60'000, "", 1));
  store->commit();

  store->begin();
  store->expect_leases({fake_hash(10), fake_hash(11), fake_hash(12)});
  other->begin();
  other->delete_lease(fake_hash(10));
  other->delete_lease(fake_hash(11));
  other->insert_lease(lease(12, license, kNow + 60'000, "", 1));
  other->commit();
  EXPECT_TRUE(store->find_lease(fake_hash(10)).has_value());   // as read with the others
  EXPECT_FALSE(store->find_lease(fake_hash(10)).has_value());  // read again
  EXPECT_FALSE(store->find_lease(fake_hash(12)).has_value());  // not there when they were read
  EXPECT_TRUE(store->find_lease(fake_hash(12)).has_value());
  // A write of an announced lease drops what was read of it.
  store->renew_lease(fake_hash(11), kNow + 90'000, kNow);
  EXPECT_FALSE(store->find_lease(fake_hash(11)).has_value());
  store->commit();
}

// A held-back write that fails fails the call that sends it, and the transaction as a whole: the
// writes sent before it and those held back with it are gone after the rollback.
TEST_F(HeldBackWritesTest, AFailingWriteRollsBackTheWholeTransaction) {
  auto store = open();
  const std::int64_t license = make_license(*store, 1, 10);
  store->begin();
  store->insert_lease(lease(10, license, kNow + 60'000, "h10", 2));
  store->commit();

  store->begin();
  store->lock_license(license);
  EXPECT_EQ(store->units_in_use(license, kNow), 2);
  store->insert_lease(lease(11, license, kNow + 60'000, "", 1));
  store->append_usage(usage("checkout", license, 11, false, 0));
  store->lock_license(license);
  EXPECT_EQ(store->units_in_use(license, kNow), 3);  // sent, inside the transaction
  store->renew_lease(fake_hash(10), kNow + 120'000, kNow);
  store->delete_lease(fake_hash(10));
  store->insert_lease(lease(12, license + 100, kNow + 60'000, "", 1));  // no such license
  store->append_usage(usage("checkout", license + 100, 12, false, 1));
  EXPECT_THROW(store->commit(), StoreError);
  store->rollback();

  EXPECT_EQ(store->lease_count(), 1);
  const auto kept = store->find_lease(fake_hash(10));
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->expires_at_ms, kNow + 60'000);
  auto sql = raw();
  EXPECT_TRUE(usage_rows(sql).empty());
  EXPECT_EQ(counters(*store).at(license), 2);

  // The next transaction goes on as usual.
  store->begin();
  store->insert_lease(lease(13, license, kNow + 60'000, "", 1));
  store->commit();
  EXPECT_EQ(store->units_in_use(license, kNow), 3);
}

}  // namespace
}  // namespace lmp::storage::testing

namespace lmp::storage::testing {
namespace {

// Polls `condition` for up to 10 s.
bool eventually(const std::function<bool()>& condition) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// What a DatabaseListener handed on, in order.
struct Heard {
  std::mutex mutex;
  std::vector<std::int64_t> licenses;
  std::vector<std::int64_t> taken() {
    std::lock_guard lock(mutex);
    return licenses;
  }
};

// The listener hears what the triggers say, in commit order: an End-of-Life deletion's counter,
// and units freed of a license only while some instance notes it has waiters for that license
// or for another of its customer's licenses of the product. A lost connection is noticed, said
// (nobody listening), and made good (every waiter offered units once, the counter read again).
TEST_F(PostgresStoreTest, TheListenerHearsUnitsFreedWhereSomebodyWaitsAndEndOfLifeDeletions) {
  auto store = open();
  const std::int64_t license = make_license(*store, 1, 5);
  const std::int64_t sibling = make_license(*store, 2, 5);  // same customer and product
  auto news = std::make_shared<DatabaseNews>();
  Heard heard;
  DatabaseListener listener(
      storage_.postgresql_connection,
      [&heard](std::int64_t id) {
        std::lock_guard lock(heard.mutex);
        heard.licenses.push_back(id);
      },
      news);
  const auto topic = DatabaseNews::Topic::lease_purge;
  ASSERT_TRUE(eventually([&] { return news->version_to_keep(topic).has_value(); }));
  EXPECT_EQ(heard.taken(), std::vector<std::int64_t>{DatabaseListener::kMissed});
  auto sql = raw();
  // Each deletion of the counter's news is also a barrier: whatever was committed before it has
  // been handed on once its news has arrived.
  const auto purge_and_wait = [&] {
    const auto before = news->version_to_keep(topic);
    sql << "UPDATE counters SET value = value + 1 WHERE name = 'lease_purge'";
    return eventually([&] { return !news->unchanged_since(topic, before); });
  };

  // A lease checked out and in again, each in a transaction of its own.
  const auto held_and_returned = [&](int seed, std::int64_t of) {
    store->begin();
    store->insert_lease(lease(seed, of, kNow + 60'000));
    store->commit();
    store->begin();
    store->delete_lease(lease(seed, of, 0).id);
    store->commit();
  };
  const auto waiting = [&](bool waits) {
    store->begin();
    store->advertise_waiters("elsewhere:1", sibling, waits, kNow);
    store->commit();
  };

  // Nobody waits: a checkin is not told.
  held_and_returned(10, license);
  ASSERT_TRUE(purge_and_wait());
  EXPECT_EQ(heard.taken().size(), 1u);

  // An instance waits for the sibling: units freed of either license are told, the license's id.
  waiting(true);
  held_and_returned(11, license);
  held_and_returned(12, sibling);
  ASSERT_TRUE(purge_and_wait());
  EXPECT_EQ(heard.taken(),
            (std::vector<std::int64_t>{DatabaseListener::kMissed, license, sibling}));

  // The instance's waiters were answered: no more news of either.
  waiting(false);
  held_and_returned(13, license);
  ASSERT_TRUE(purge_and_wait());
  EXPECT_EQ(heard.taken().size(), 3u);

  // The listener's connection ends: nobody listens, then it reconnects and says news was lost.
  const auto before = news->version_to_keep(topic);
  sql << "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'"
         " AND pid <> pg_backend_pid()";
  ASSERT_TRUE(eventually([&] { return heard.taken().size() == 4u; }));
  EXPECT_EQ(heard.taken().back(), DatabaseListener::kMissed);
  EXPECT_FALSE(news->unchanged_since(topic, before));
  EXPECT_TRUE(news->version_to_keep(topic).has_value());
  listener.stop();
}

// The counter of End-of-Life deletions, which the seat service asks at every batch, is kept
// while the news says it has not moved, read again when it has, and read every time while
// nobody listens.
TEST_F(PostgresStoreTest, TheLeasePurgeCounterIsKeptUntilTheNewsSaysItMoved) {
  auto store = open();
  auto news = std::make_shared<DatabaseNews>();
  store->set_database_news(news);
  auto sql = raw();
  const auto purge = [&] {
    sql << "UPDATE counters SET value = value + 1 WHERE name = 'lease_purge'";
  };

  const std::int64_t first = store->lease_purge();
  purge();
  EXPECT_EQ(store->lease_purge(), first + 1);  // nobody listens: read each time

  news->listening();
  const auto read_at = std::chrono::steady_clock::now();
  EXPECT_EQ(store->lease_purge(), first + 1);
  purge();
  const std::int64_t kept = store->lease_purge();
  // Kept for a second at most: only a machine that stalled that long sees the new value here.
  if (std::chrono::steady_clock::now() - read_at < std::chrono::milliseconds(800)) {
    EXPECT_EQ(kept, first + 1);
  }
  news->heard(DatabaseNews::Topic::lease_purge);
  EXPECT_EQ(store->lease_purge(), first + 2);

  // News lost without the listener noticing costs a second, not more.
  purge();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(store->lease_purge(), first + 3);

  news->deaf();
  purge();
  EXPECT_EQ(store->lease_purge(), first + 4);
}

}  // namespace
}  // namespace lmp::storage::testing
