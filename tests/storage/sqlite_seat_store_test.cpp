// Tests of the SQLite SeatStore against real database files: customers, licenses, leases,
// reclaim, transactions, durability and two stores contending for one file.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "storage/caching_seat_store.hpp"
#include "storage_test_support.hpp"

namespace lmp::storage::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
// Every test runs against the plain SQLite store and against the caching store the daemon uses
// on top of it: both must keep the same contract.
class SeatStoreTest : public StorageTest, public ::testing::WithParamInterface<bool> {
 protected:
  std::unique_ptr<SeatStore> open() const {
    auto store = StorageTest::open();
    return GetParam() ? make_caching_store(std::move(store)) : std::move(store);
  }
};

TEST_P(SeatStoreTest, CreatesTheMissingDatabaseFolder) {
  storage_.sqlite_path = (dir_ / "a folder" / "with spaces" / "lmpd.sqlite").string();
  auto store = open();
  EXPECT_TRUE(std::filesystem::exists(storage_.sqlite_path));
  store->create_customer("Acme", kNow);
  EXPECT_TRUE(store->find_customer("Acme").has_value());
}

TEST_P(SeatStoreTest, TheDatabaseFilesAreReadableByTheirOwnerOnly) {
  // A developer's shell: without lmpd's own care SQLite would make the files 0644.
  const mode_t before = ::umask(022);
  auto store = open();
  store->create_customer("Acme", kNow);
  ::umask(before);
  for (const std::string suffix : {"", "-wal", "-shm"}) {
    SCOPED_TRACE(suffix);
    const auto permissions = std::filesystem::status(storage_.sqlite_path + suffix).permissions();
    EXPECT_EQ(permissions,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
}

TEST_P(SeatStoreTest, OpenFailureIsAStoreError) {
  // A folder where the file should be: SQLite cannot open it.
  std::filesystem::create_directories(storage_.sqlite_path);
  EXPECT_THROW(open(), StoreError);
}

TEST_P(SeatStoreTest, CustomersCreateFindAndRefuseDuplicates) {
  auto store = open();
  const std::int64_t acme = store->create_customer("Acme", kNow);
  const std::int64_t globex = store->create_customer("Globex", kNow);
  EXPECT_GT(acme, 0);
  EXPECT_NE(acme, globex);
  EXPECT_EQ(store->find_customer("Acme"), acme);
  EXPECT_EQ(store->find_customer("Globex"), globex);
  EXPECT_EQ(store->find_customer("Initech"), std::nullopt);
  EXPECT_THROW(store->create_customer("Acme", kNow + 1), DuplicateError);
  // The failed create left no transaction behind.
  store->begin();
  store->commit();
  EXPECT_EQ(store->find_customer("Acme"), acme);
}

TEST_P(SeatStoreTest, LicensesCreateFindListAndRefuseDuplicateCodes) {
  auto store = open();
  const std::int64_t acme = store->create_customer("Acme", kNow);
  const std::int64_t globex = store->create_customer("Globex", kNow);
  NewLicense first;
  first.customer_id = acme;
  first.product_code = "cad";
  first.units = 25;
  first.unit = domain::UnitType::users;
  first.starts_at_ms = kNow - 5;
  first.expires_at_ms = kNow + 5000;
  first.code_hash = fake_hash(1);
  first.created_at_ms = kNow - 10;
  const std::int64_t first_id = store->create_license(first);

  NewLicense second = first;
  second.customer_id = globex;
  second.product_code = "vault";
  second.units = 3;
  second.unit = domain::UnitType::encryption_keys;
  second.code_hash = fake_hash(2);
  const std::int64_t second_id = store->create_license(second);
  EXPECT_NE(first_id, second_id);

  const auto found = store->find_license_by_code_hash(fake_hash(1));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, first_id);
  EXPECT_EQ(found->customer_id, acme);
  EXPECT_EQ(found->customer_name, "Acme");
  EXPECT_EQ(found->product_code, "cad");
  EXPECT_EQ(found->units, 25);
  EXPECT_EQ(found->unit, domain::UnitType::users);
  EXPECT_EQ(found->starts_at_ms, kNow - 5);
  EXPECT_EQ(found->expires_at_ms, kNow + 5000);
  EXPECT_EQ(found->created_at_ms, kNow - 10);
  EXPECT_EQ(store->find_license_by_code_hash(fake_hash(3)), std::nullopt);

  const auto by_id = store->find_license(second_id);
  ASSERT_TRUE(by_id.has_value());
  EXPECT_EQ(by_id->customer_name, "Globex");
  EXPECT_EQ(by_id->unit, domain::UnitType::encryption_keys);
  EXPECT_EQ(store->find_license(second_id + 100), std::nullopt);

  const auto all = store->list_licenses();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, first_id);
  EXPECT_EQ(all[0].customer_name, "Acme");
  EXPECT_EQ(all[1].id, second_id);
  EXPECT_EQ(all[1].customer_name, "Globex");
  EXPECT_EQ(all[1].product_code, "vault");
  EXPECT_EQ(all[1].units, 3);

  NewLicense duplicate = second;
  duplicate.product_code = "other";
  EXPECT_THROW(store->create_license(duplicate), DuplicateError);
  EXPECT_EQ(store->list_licenses().size(), 2u);
}

TEST_P(SeatStoreTest, EveryUnitRoundTrips) {
  auto store = open();
  const std::int64_t customer = store->create_customer("Acme", kNow);
  int seed = 0;
  std::int64_t last = 0;
  for (auto unit : {domain::UnitType::seats, domain::UnitType::endpoints, domain::UnitType::users,
                    domain::UnitType::encryption_keys}) {
    NewLicense license;
    license.customer_id = customer;
    license.product_code = "cad";
    license.units = 1;
    license.unit = unit;
    license.code_hash = fake_hash(++seed);
    last = store->create_license(license);
    EXPECT_EQ(store->find_license_by_code_hash(fake_hash(seed))->unit, unit);
  }
  // The protocol spelling is what is stored, so other tools can read the file.
  auto sql = raw();
  std::string stored;
  *sql << "SELECT unit FROM licenses WHERE id = :id", soci::into(stored), soci::use(last);
  EXPECT_EQ(stored, "encryption_keys");
}

TEST_P(SeatStoreTest, LicenseForUnknownCustomerIsRefused) {
  auto store = open();
  NewLicense license;
  license.customer_id = 42;
  license.product_code = "cad";
  license.code_hash = fake_hash(1);
  EXPECT_THROW(store->create_license(license), StoreError);
  EXPECT_TRUE(store->list_licenses().empty());
}

TEST_P(SeatStoreTest, LeasesInsertFindExtendDelete) {
  auto store = open();
  const std::int64_t license = make_license(*store, 1);
  store->begin();
  store->insert_lease(lease(10, license, kNow + 300'000, "host-a", 2));
  store->commit();

  auto found = store->find_lease(fake_hash(10));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->license_id, license);
  EXPECT_EQ(found->product_code, "cad");
  EXPECT_EQ(found->holder, "host-a");
  EXPECT_EQ(found->units, 2);
  EXPECT_EQ(found->issued_at_ms, kNow - 1000);
  EXPECT_EQ(found->expires_at_ms, kNow + 300'000);
  EXPECT_EQ(store->find_lease(fake_hash(11)), std::nullopt);
  EXPECT_EQ(store->lease_count(), 1);

  store->begin();
  store->set_lease_expiry(fake_hash(10), kNow + 600'000);
  store->commit();
  EXPECT_EQ(store->find_lease(fake_hash(10))->expires_at_ms, kNow + 600'000);

  store->begin();
  store->delete_lease(fake_hash(10));
  store->commit();
  EXPECT_EQ(store->find_lease(fake_hash(10)), std::nullopt);
  EXPECT_EQ(store->lease_count(), 0);
}

// Who holds a lease travels with it: written, read back by every lookup, and renewed with its
// heartbeat time; a rolled-back heartbeat leaves both times as they were.
TEST_P(SeatStoreTest, LeasesKeepTheirHolderReferenceAndLastHeartbeat) {
  auto store = open();
  const std::int64_t license = make_license(*store, 1);
  LeaseRecord held = lease(10, license, kNow + 300'000, "seat:ann@ws1", 2);
  held.ref = "0123456789abcdef";
  held.user = "ann";
  held.host = "ws1";
  held.peer = "10.1.2.3";
  held.heartbeat_at_ms = kNow - 1000;
  held.instance = "lic1:27400";
  store->begin();
  store->insert_lease(held);
  store->commit();

  auto check = [&](const LeaseRecord& found, std::int64_t heartbeat) {
    EXPECT_EQ(found.ref, "0123456789abcdef");
    EXPECT_EQ(found.user, "ann");
    EXPECT_EQ(found.host, "ws1");
    EXPECT_EQ(found.peer, "10.1.2.3");
    EXPECT_EQ(found.heartbeat_at_ms, heartbeat);
    EXPECT_FALSE(found.borrowed);
  };
  check(*store->find_lease(fake_hash(10)), kNow - 1000);
  check(*store->find_live_lease_by_holder(license, "cad", "seat:ann@ws1", kNow), kNow - 1000);
  int visited = 0;
  store->for_each_lease([&](const LeaseRecord& found) {
    check(found, kNow - 1000);
    ++visited;
  });
  EXPECT_EQ(visited, 1);

  store->begin();
  store->renew_lease(fake_hash(10), kNow + 600'000, kNow + 5000);
  store->rollback();
  check(*store->find_lease(fake_hash(10)), kNow - 1000);
  EXPECT_EQ(store->find_lease(fake_hash(10))->expires_at_ms, kNow + 300'000);

  store->begin();
  store->renew_lease(fake_hash(10), kNow + 600'000, kNow + 5000);
  store->commit();
  check(*store->find_lease(fake_hash(10)), kNow + 5000);
  EXPECT_EQ(store->find_lease(fake_hash(10))->expires_at_ms, kNow + 600'000);
  // A store opened afresh reads the same from the file.
  store.reset();
  auto reopened = open();
  check(*reopened->find_lease(fake_hash(10)), kNow + 5000);
  const auto reclaimed = reopened->reclaim_expired(kNow + 600'000, 10);
  ASSERT_EQ(reclaimed.size(), 1u);
  check(reclaimed[0], kNow + 5000);
}

TEST_P(SeatStoreTest, ReleasedLeasesAreFoundByReferenceAndRememberedForAWhile) {
  auto store = open();
  check_released_leases(*store, make_license(*store, 1));
}

TEST_P(SeatStoreTest, UsageRecordsAreWrittenWithTheirTransactionAndPrunedOldestFirst) {
  auto store = open();
  check_usage_records(*store, make_license(*store, 1));
}

// SQLite writes a transaction's usage records at its commit, 32 rows a statement and the rest
// one a row: every record arrives whole and in its order across those statements, and a record
// refused at the commit takes the whole transaction (its lease too) with it, leaving the store
// usable.
TEST_P(SeatStoreTest, UsageRecordsWrittenAtCommitArriveWholeInOrderOrNotAtAll) {
  auto store = open();
  const std::int64_t license = make_license(*store, 1);
  auto record = [&](int i) {
    domain::UsageRecord r;
    r.at_ms = kNow + i;
    r.event = i % 2 ? domain::usage_event::kCheckin : domain::usage_event::kDenial;
    r.license_id = license;
    r.product_code = "cad";
    r.customer_id = 1;
    if (i % 3 == 0) r.account_id = 100 + i;
    r.scope = "/1/c" + std::to_string(i) + "/";
    r.units = i + 1;
    r.user = "user-" + std::to_string(i) + std::string(i, 'u');  // past any short-string buffer
    r.host = "host-" + std::to_string(i);
    r.peer = "10.0.0." + std::to_string(i);
    r.lease_ref = "ref-" + std::to_string(i);
    r.code = i % 2 ? "" : "no_seats";
    if (i % 2) r.since_ms = kNow - i;
    return r;
  };
  constexpr int kRecords = 2 * 32 + 7;
  store->begin();
  for (int i = 0; i < kRecords; ++i) store->append_usage(record(i));
  store->commit();

  auto sql = raw();
  struct Row {
    std::int64_t at_ms, license_id, customer_id, account_id, units, since_ms;
    std::string event, product_code, scope, user, host, peer, lease_ref, code;
    soci::indicator account_null, since_null;
  } row{};
  soci::statement read =
      (sql->prepare << "SELECT at_ms, event, license_id, product_code, customer_id, account_id,"
                       " scope, units, user_name, host, peer, lease_ref, code, since_ms"
                       " FROM usage_records ORDER BY id",
       soci::into(row.at_ms), soci::into(row.event), soci::into(row.license_id),
       soci::into(row.product_code), soci::into(row.customer_id),
       soci::into(row.account_id, row.account_null), soci::into(row.scope), soci::into(row.units),
       soci::into(row.user), soci::into(row.host), soci::into(row.peer), soci::into(row.lease_ref),
       soci::into(row.code), soci::into(row.since_ms, row.since_null));
  read.execute();
  int i = 0;
  for (; read.fetch(); ++i) {
    SCOPED_TRACE(i);
    const domain::UsageRecord want = record(i);
    EXPECT_EQ(row.at_ms, want.at_ms);
    EXPECT_EQ(row.event, want.event);
    EXPECT_EQ(row.license_id, want.license_id);
    EXPECT_EQ(row.product_code, want.product_code);
    EXPECT_EQ(row.customer_id, want.customer_id);
    EXPECT_EQ(row.account_null == soci::i_ok ? std::optional(row.account_id) : std::nullopt,
              want.account_id);
    EXPECT_EQ(row.scope, want.scope);
    EXPECT_EQ(row.units, want.units);
    EXPECT_EQ(row.user, want.user);
    EXPECT_EQ(row.host, want.host);
    EXPECT_EQ(row.peer, want.peer);
    EXPECT_EQ(row.lease_ref, want.lease_ref);
    EXPECT_EQ(row.code, want.code);
    EXPECT_EQ(row.since_null == soci::i_ok ? std::optional(row.since_ms) : std::nullopt,
              want.since_ms);
  }
  EXPECT_EQ(i, kRecords);

  *sql << "CREATE TRIGGER refuse_one BEFORE INSERT ON usage_records WHEN NEW.user_name = 'refused'"
          " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END";
  store->begin();
  store->insert_lease(lease(10, license, kNow + 300'000, "host-a", 1));
  for (int j = 0; j < 40; ++j) {
    domain::UsageRecord r = record(j);
    if (j == 35) r.user = "refused";  // among the rows written one at a time
    store->append_usage(r);
  }
  EXPECT_THROW(store->commit(), StoreError);
  store->rollback();
  EXPECT_EQ(store->find_lease(fake_hash(10)), std::nullopt);
  int count = 0;
  *sql << "SELECT COUNT(*) FROM usage_records", soci::into(count);
  EXPECT_EQ(count, kRecords);

  store->begin();
  store->append_usage(record(0));
  store->commit();
  *sql << "SELECT COUNT(*) FROM usage_records", soci::into(count);
  EXPECT_EQ(count, kRecords + 1);
}

// On SQLite a usage record's id carries its time (storage/usage_record_ids.hpp), so that the
// table's own B-tree is the reports' time index: ids grow in the order records are written, a
// record's time is never earlier than the one before it (a clock set back moves it forward to
// that one's), and a millisecond's 2,049th record spills into the next one. Both ways a record
// is written: held to the commit, and one at a time outside a transaction.
TEST_P(SeatStoreTest, UsageRecordIdsCarryTheirTimesWhichNeverGoBack) {
  auto store = open();
  const std::int64_t license = make_license(*store, 1);
  auto record = [&](std::int64_t at_ms, const std::string& ref) {
    domain::UsageRecord r;
    r.at_ms = at_ms;
    r.event = domain::usage_event::kCheckout;
    r.license_id = license;
    r.product_code = "cad";
    r.customer_id = 1;
    r.scope = "/1/c1/";
    r.units = 1;
    r.lease_ref = ref;
    return r;
  };
  store->begin();
  store->append_usage(record(kNow, "a"));
  store->append_usage(record(kNow, "b"));
  store->append_usage(record(kNow + 5, "c"));
  store->commit();
  store->begin();
  store->append_usage(record(kNow + 2, "back"));  // the clock set back 3 ms
  for (int i = 0; i < 2050; ++i) store->append_usage(record(kNow + 10, std::to_string(i)));
  store->commit();
  store->append_usage(record(kNow + 3, "alone"));  // outside a transaction, the clock back again

  auto sql = raw();
  std::vector<std::tuple<std::int64_t, std::int64_t, std::string>> rows;
  std::int64_t id = 0;
  std::int64_t at = 0;
  std::string ref;
  soci::statement st =
      (sql->prepare << "SELECT id, at_ms, lease_ref FROM usage_records ORDER BY id", soci::into(id),
       soci::into(at), soci::into(ref));
  st.execute();
  while (st.fetch()) rows.emplace_back(id, at, ref);
  std::vector<std::tuple<std::int64_t, std::int64_t, std::string>> want;
  auto put = [&](std::int64_t want_at, int place, const std::string& want_ref) {
    want.emplace_back((want_at << 11) + place, want_at, want_ref);
  };
  put(kNow, 0, "a");
  put(kNow, 1, "b");
  put(kNow + 5, 0, "c");
  put(kNow + 5, 1, "back");
  for (int i = 0; i < 2048; ++i) put(kNow + 10, i, std::to_string(i));
  put(kNow + 11, 0, "2048");
  put(kNow + 11, 1, "2049");
  put(kNow + 11, 2, "alone");
  EXPECT_EQ(rows, want);

  // The retention sweep deletes by time through the ids: everything before kNow + 10.
  store->begin();
  EXPECT_EQ(store->prune_usage(kNow + 10, 100), 4);
  store->commit();
}

TEST_P(SeatStoreTest, LeaseOnUnknownLicenseIsRefusedByTheForeignKey) {
  auto store = open();
  store->begin();
  EXPECT_THROW(store->insert_lease(lease(10, 999, kNow + 1000)), StoreError);
  store->rollback();
  EXPECT_EQ(store->lease_count(), 0);
}

TEST_P(SeatStoreTest, ErrorMessagesNeverContainBoundValues) {
  auto store = open();
  const std::int64_t license = make_license(*store, 1);
  store->insert_lease(lease(10, license, kNow + 1000));
  try {
    store->insert_lease(lease(10, license, kNow + 1000));
    FAIL() << "a duplicate lease id was stored";
  } catch (const StoreError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("insert lease"), std::string::npos) << message;
    EXPECT_EQ(message.find(fake_hash(10)), std::string::npos) << message;
  }
}

TEST_P(SeatStoreTest, UnitsInUseCountsOnlyLiveLeases) {
  auto store = open();
  check_units_in_use(*store);
}

// Only PostgreSQL keeps a units-held counter (docs/scale-out.md, "Units held"): the one lmpd of a
// SQLite file counts units in memory from the leases, and has no counter to compare.
TEST_P(SeatStoreTest, KeepsNoUnitsHeldCounter) {
  auto store = open();
  const std::int64_t license = make_license(*store, 1);
  store->begin();
  store->insert_lease(lease(10, license, kNow + 1000, "a", 2));
  store->commit();
  EXPECT_TRUE(store->units_held_counts(0, 10).empty());
  EXPECT_EQ(store->units_in_use(license, kNow), 2);
}

TEST_P(SeatStoreTest, FindLiveLeaseByHolderMatchesLicenseProductAndHolder) {
  auto store = open();
  const std::int64_t license = make_license(*store, 1);
  const std::int64_t other = make_license(*store, 2);
  store->begin();
  store->insert_lease(lease(10, license, kNow + 5000, "host-a"));
  store->insert_lease(lease(11, license, kNow, "host-b"));  // expires exactly now
  LeaseRecord other_product = lease(12, license, kNow + 5000, "host-c");
  other_product.product_code = "vault";
  store->insert_lease(other_product);
  store->insert_lease(lease(13, other, kNow + 5000, "host-d"));
  store->commit();

  const auto a = store->find_live_lease_by_holder(license, "cad", "host-a", kNow);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->id, fake_hash(10));
  EXPECT_EQ(a->holder, "host-a");

  EXPECT_EQ(store->find_live_lease_by_holder(license, "cad", "host-b", kNow), std::nullopt);
  EXPECT_TRUE(store->find_live_lease_by_holder(license, "cad", "host-b", kNow - 1).has_value());
  EXPECT_EQ(store->find_live_lease_by_holder(license, "cad", "host-c", kNow), std::nullopt);
  EXPECT_TRUE(store->find_live_lease_by_holder(license, "vault", "host-c", kNow).has_value());
  EXPECT_EQ(store->find_live_lease_by_holder(license, "cad", "host-d", kNow), std::nullopt);
  EXPECT_EQ(store->find_live_lease_by_holder(license, "cad", "nobody", kNow), std::nullopt);
}

TEST_P(SeatStoreTest, ReclaimExpiredDeletesOnlyExpiredOldestFirstUpToLimit) {
  auto store = open();
  const std::int64_t license = make_license(*store, 1);
  store->begin();
  store->insert_lease(lease(10, license, kNow - 10));
  store->insert_lease(lease(11, license, kNow - 30));
  store->insert_lease(lease(12, license, kNow));  // expires exactly now: reclaimable
  store->insert_lease(lease(13, license, kNow - 20));
  store->insert_lease(lease(14, license, kNow + 1));  // live
  store->commit();

  EXPECT_TRUE(store->reclaim_expired(kNow, 0).empty());
  EXPECT_EQ(store->lease_count(), 5);

  store->begin();
  const auto first = store->reclaim_expired(kNow, 2);
  store->commit();
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].id, fake_hash(11));
  EXPECT_EQ(first[0].expires_at_ms, kNow - 30);
  EXPECT_EQ(first[0].license_id, license);
  EXPECT_EQ(first[1].id, fake_hash(13));
  EXPECT_EQ(store->lease_count(), 3);
  EXPECT_EQ(store->find_lease(fake_hash(11)), std::nullopt);

  // Outside a transaction it runs in one of its own.
  const auto rest = store->reclaim_expired(kNow, 10);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].id, fake_hash(10));
  EXPECT_EQ(rest[1].id, fake_hash(12));
  EXPECT_EQ(store->lease_count(), 1);
  EXPECT_TRUE(store->find_lease(fake_hash(14)).has_value());
  EXPECT_TRUE(store->reclaim_expired(kNow, 10).empty());
}

TEST_P(SeatStoreTest, RollbackDiscardsWrites) {
  auto store = open();
  const std::int64_t license = make_license(*store, 1);
  store->begin();
  store->insert_lease(lease(10, license, kNow + 1000));
  store->record_activation(license, "host-a", "alice", kNow);
  store->create_customer("Globex", kNow);
  EXPECT_EQ(store->lease_count(), 1);
  store->rollback();

  EXPECT_EQ(store->lease_count(), 0);
  EXPECT_EQ(store->activation_count(license), 0);
  EXPECT_EQ(store->find_customer("Globex"), std::nullopt);
  // rollback() without a transaction is harmless, and the store stays usable.
  store->rollback();
  store->begin();
  store->commit();
}

TEST_P(SeatStoreTest, ClockMarksOnlyMoveForwardAndRollBackWithTheirTransaction) {
  auto store = open();
  const std::int64_t license = make_license(*store, 1);
  const std::int64_t other = make_license(*store, 2);
  EXPECT_EQ(store->server_clock_mark(), 0);
  EXPECT_EQ(store->find_license(license)->clock_mark_ms, 0);
  store->begin();
  store->advance_license_clock_mark(license, kNow);
  store->advance_server_clock_mark(kNow - 5000);
  store->commit();
  EXPECT_EQ(store->server_clock_mark(), kNow - 5000);
  // A license reads the later of its own mark and the server's.
  EXPECT_EQ(store->find_license(license)->clock_mark_ms, kNow);
  EXPECT_EQ(store->find_license_by_code_hash(fake_hash(1))->clock_mark_ms, kNow);
  EXPECT_EQ(store->find_license(other)->clock_mark_ms, kNow - 5000);
  // An earlier time moves neither back.
  store->begin();
  store->advance_license_clock_mark(license, kNow - 60000);
  store->advance_server_clock_mark(kNow - 60000);
  store->commit();
  EXPECT_EQ(store->find_license(license)->clock_mark_ms, kNow);
  EXPECT_EQ(store->server_clock_mark(), kNow - 5000);
  // A rolled-back mark is not kept, in the file or in memory.
  store->begin();
  store->advance_license_clock_mark(license, kNow + 60000);
  store->rollback();
  EXPECT_EQ(store->find_license(license)->clock_mark_ms, kNow);
  store->begin();
  store->advance_license_clock_mark(license, kNow + 60000);
  store->commit();
  EXPECT_EQ(store->find_license_by_code_hash(fake_hash(1))->clock_mark_ms, kNow + 60000);
  auto reopened = open();
  EXPECT_EQ(reopened->find_license(license)->clock_mark_ms, kNow + 60000);
}

TEST_P(SeatStoreTest, ActivationsAreCountedPerLicense) {
  auto store = open();
  const std::int64_t license = make_license(*store, 1);
  const std::int64_t other = make_license(*store, 2);
  store->begin();
  store->record_activation(license, "host-a", "alice", kNow);
  store->record_activation(license, "host-b", "", kNow + 1);
  store->record_activation(other, "host-c", "carol", kNow);
  store->commit();
  EXPECT_EQ(store->activation_count(license), 2);
  EXPECT_EQ(store->activation_count(other), 1);
  EXPECT_EQ(store->activation_count(other + 100), 0);
}

// A reopened store reclaims what it loaded oldest first, as it does what it was given (the
// caching store builds its expiry index in one sorted pass at loading, then goes on adding to it).
TEST_P(SeatStoreTest, ReopenedLeasesAreReclaimedOldestFirst) {
  std::int64_t license = 0;
  std::mt19937 random(7);
  {
    auto store = open();
    license = make_license(*store, 1, 1000);
    store->begin();
    // Expiries in no order, with ties.
    for (int i = 0; i < 300; ++i)
      store->insert_lease(lease(100 + i, license, kNow - 1 - static_cast<int>(random() % 50)));
    store->insert_lease(lease(99, license, kNow + 60'000));  // live
    store->commit();
  }
  auto store = open();
  store->begin();
  store->insert_lease(lease(98, license, kNow - 1000));     // after loading: the oldest of all
  store->renew_lease(fake_hash(100), kNow + 60'000, kNow);  // no longer expired
  store->commit();
  std::vector<std::int64_t> expiries;
  std::set<std::string> ids;
  for (;;) {
    store->begin();
    const auto taken = store->reclaim_expired(kNow, 7);
    store->commit();
    if (taken.empty()) break;
    for (const auto& lease : taken) {
      expiries.push_back(lease.expires_at_ms);
      ids.insert(lease.id);
    }
  }
  ASSERT_EQ(expiries.size(), 300u);
  EXPECT_EQ(expiries.front(), kNow - 1000);
  EXPECT_TRUE(std::is_sorted(expiries.begin(), expiries.end()));
  EXPECT_EQ(ids.size(), 300u);
  EXPECT_EQ(ids.count(fake_hash(100)), 0u);
  EXPECT_EQ(store->lease_count(), 2);
}

// The metrics' seeding at start: each product's leases and units, expired ones not yet reclaimed
// included, as stored (after a reopen, as the caching store loaded them) and after changes.
TEST_P(SeatStoreTest, LeaseTotalsByProductSumWhatIsStored) {
  using Totals = std::map<std::string, std::pair<std::int64_t, std::int64_t>>;
  auto totals_of = [](SeatStore& store) {
    Totals out;
    for (const auto& t : store.lease_totals_by_product()) {
      EXPECT_EQ(out.count(t.product_code), 0u) << "two rows for " << t.product_code;
      out[t.product_code] = {t.leases, t.units};
    }
    return out;
  };
  std::int64_t license = 0;
  {
    auto store = open();
    EXPECT_EQ(totals_of(*store), Totals{});
    license = make_license(*store, 1, 100);
    store->begin();
    store->insert_lease(lease(10, license, kNow + 5000, "", 3));
    store->insert_lease(lease(11, license, kNow - 1, "", 2));  // expired, not reclaimed
    LeaseRecord vault = lease(12, license, kNow + 5000, "", 4);
    vault.product_code = "vault";
    store->insert_lease(vault);
    store->commit();
    EXPECT_EQ(totals_of(*store), (Totals{{"cad", {2, 5}}, {"vault", {1, 4}}}));
  }
  auto store = open();
  EXPECT_EQ(totals_of(*store), (Totals{{"cad", {2, 5}}, {"vault", {1, 4}}}));
  store->begin();
  store->delete_lease(fake_hash(12));
  store->insert_lease(lease(13, license, kNow + 5000, "", 1));
  store->commit();
  EXPECT_EQ(totals_of(*store), (Totals{{"cad", {3, 6}}}));
}

TEST_P(SeatStoreTest, DataSurvivesReopening) {
  storage_.synchronous = Synchronous::full;
  std::int64_t license = 0;
  {
    auto store = open();
    license = make_license(*store, 1);
    store->begin();
    store->insert_lease(lease(10, license, kNow + 1000, "host-a"));
    store->record_activation(license, "host-a", "alice", kNow);
    store->commit();
  }
  auto store = open();
  EXPECT_EQ(store->find_license_by_code_hash(fake_hash(1))->id, license);
  EXPECT_EQ(store->find_lease(fake_hash(10))->holder, "host-a");
  EXPECT_EQ(store->activation_count(license), 1);
  EXPECT_TRUE(store->find_customer("Acme").has_value());
}

// A site policy's pool: the customer's licenses of one product, by id; one created meanwhile is
// in it from the next transaction (the caching store keeps the list per license generation).
TEST_P(SeatStoreTest, CustomerLicensesAreTheCustomersLicensesOfTheProduct) {
  auto store = open();
  const std::int64_t first = make_license(*store, 1);
  const std::int64_t second = make_license(*store, 2);
  const std::int64_t customer = store->find_license(first)->customer_id;
  NewLicense other_product;
  other_product.customer_id = customer;
  other_product.product_code = "cam";
  other_product.units = 1;
  other_product.starts_at_ms = kNow - 1000;
  other_product.expires_at_ms = kNow + 86'400'000;
  other_product.code_hash = fake_hash(3);
  other_product.created_at_ms = kNow;
  store->create_license(other_product);
  const auto ids = [&] {
    store->begin();
    std::vector<std::int64_t> out;
    for (const auto& license : store->customer_licenses(customer, "cad")) {
      EXPECT_EQ(license.product_code, "cad");
      out.push_back(license.id);
    }
    store->commit();
    return out;
  };
  EXPECT_EQ(ids(), (std::vector<std::int64_t>{first, second}));
  const std::int64_t third = make_license(*store, 4);
  EXPECT_EQ(ids(), (std::vector<std::int64_t>{first, second, third}));
  EXPECT_TRUE(store->customer_licenses(customer + 1000, "cad").empty());
}

TEST_P(SeatStoreTest, TransactionMisuseIsReported) {
  auto store = open();
  EXPECT_THROW(store->commit(), StoreError);
  EXPECT_THROW(store->lock_license(1), StoreError);
  store->begin();
  EXPECT_THROW(store->begin(), StoreError);
  store->lock_license(1);
  store->commit();
}

TEST_P(SeatStoreTest, AdminMethodsJoinAnOpenTransaction) {
  auto store = open();
  store->begin();
  const std::int64_t customer = store->create_customer("Acme", kNow);
  EXPECT_EQ(store->find_customer("Acme"), customer);
  NewLicense license;
  license.customer_id = customer;
  license.product_code = "cad";
  license.code_hash = fake_hash(1);
  store->create_license(license);
  EXPECT_EQ(store->list_licenses().size(), 1u);
  // A duplicate inside the caller's transaction leaves that transaction usable.
  EXPECT_THROW(store->create_customer("Acme", kNow), DuplicateError);
  EXPECT_THROW(store->create_license(license), DuplicateError);
  store->rollback();
  // They ran in the caller's transaction, so its rollback undid them.
  EXPECT_EQ(store->find_customer("Acme"), std::nullopt);
  EXPECT_TRUE(store->list_licenses().empty());
}

TEST_P(SeatStoreTest, AdminMethodsOutsideATransactionCommitOnTheirOwn) {
  auto writer = open();
  auto reader = open();
  const std::int64_t customer = writer->create_customer("Acme", kNow);
  NewLicense license;
  license.customer_id = customer;
  license.product_code = "cad";
  license.code_hash = fake_hash(1);
  writer->create_license(license);
  // Committed and the write lock released: another store sees the rows and can write.
  EXPECT_EQ(reader->find_customer("Acme"), customer);
  EXPECT_EQ(reader->list_licenses().size(), 1u);
  reader->begin();
  reader->create_customer("Globex", kNow);
  reader->commit();
  EXPECT_TRUE(writer->find_customer("Globex").has_value());
}

TEST_P(SeatStoreTest, ReadsOutsideATransactionDoNotPinAStaleSnapshot) {
  if (GetParam())
    GTEST_SKIP() << "two stores writing leases to one file is what the caching store excludes";
  auto a = open();
  auto b = open();
  const std::int64_t license = make_license(*a, 1);
  a->insert_lease(lease(10, license, kNow + 1000, "host-a"));
  // Each single-row lookup that finds its row, outside a transaction...
  ASSERT_TRUE(a->find_lease(fake_hash(10)).has_value());
  ASSERT_TRUE(a->find_license_by_code_hash(fake_hash(1)).has_value());
  ASSERT_TRUE(a->find_license(license).has_value());
  ASSERT_TRUE(a->find_live_lease_by_holder(license, "cad", "host-a", kNow).has_value());
  ASSERT_EQ(a->units_in_use(license, kNow), 1);
  // ...then another connection commits...
  b->begin();
  b->insert_lease(lease(11, license, kNow + 1000, "host-b"));
  b->commit();
  // ...and this connection can still take the write lock and see the new row.
  a->begin();
  EXPECT_TRUE(a->find_lease(fake_hash(11)).has_value());
  EXPECT_EQ(a->units_in_use(license, kNow), 2);
  a->commit();
}

TEST_P(SeatStoreTest, SecondWriterGivesUpAfterTheBusyTimeout) {
  auto a = open();
  auto b = open();
  a->begin();
  const auto started = steady_clock::now();
  EXPECT_THROW(b->begin(), StoreError);
  EXPECT_GE(steady_clock::now() - started, milliseconds(900));
  a->commit();
  b->begin();
  b->create_customer("Acme", kNow);
  b->commit();
  EXPECT_TRUE(a->find_customer("Acme").has_value());
}

TEST_P(SeatStoreTest, SecondWriterProceedsOnceTheFirstCommits) {
  auto a = open();
  auto b = open();
  a->begin();
  a->create_customer("Acme", kNow);
  auto waiting = std::async(std::launch::async, [&b] {
    b->begin();
    // Taken only after the first commit, so the first writer's row is visible.
    const bool sees_first = b->find_customer("Acme").has_value();
    b->commit();
    return sees_first;
  });
  EXPECT_EQ(waiting.wait_for(milliseconds(150)), std::future_status::timeout);
  a->commit();
  EXPECT_TRUE(waiting.get());
}

TEST_P(SeatStoreTest, LicensesCreatedByAnotherConnectionAreFound) {
  auto store = open();
  auto admin = StorageTest::open();  // lmpd admin writes licenses from another process
  EXPECT_EQ(store->find_license_by_code_hash(fake_hash(1)), std::nullopt);
  const std::int64_t license = make_license(*admin, 1);
  store->begin();
  auto found = store->find_license_by_code_hash(fake_hash(1));
  store->commit();
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, license);
  EXPECT_EQ(store->find_license(license)->units, 5);
}

INSTANTIATE_TEST_SUITE_P(Stores, SeatStoreTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Caching" : "Sqlite";
                         });

}  // namespace
}  // namespace lmp::storage::testing
