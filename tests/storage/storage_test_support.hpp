// Shared fixture of the storage tests: a fresh database folder per test, removed afterwards,
// plus direct SQL access to the file for checks the SeatStore interface does not expose.
#pragma once

#include <gtest/gtest.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "storage/seat_store.hpp"

namespace lmp::storage::testing {

inline constexpr std::int64_t kNow = 1'700'000'000'000;

// A stand-in for a sha256_hex value: 64 hex digits, distinct per `seed`.
inline std::string fake_hash(int seed) {
  std::string hex = std::to_string(seed);
  return std::string(64 - hex.size(), 'a') + hex;
}

class StorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/lmp_storage_test_XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    // A folder that does not exist yet, so every test also covers its creation.
    storage_.sqlite_path = (dir_ / "data" / "lmpd.sqlite").string();
    storage_.busy_timeout_seconds = 1;
    // Fewer fsyncs keep the suite fast on a busy disk; DataSurvivesReopening covers "full".
    storage_.synchronous = Synchronous::normal;
  }

  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::unique_ptr<SeatStore> open() const { return open_sqlite(storage_); }

  // A plain connection to the same file, bypassing the store.
  std::unique_ptr<soci::session> raw() const {
    return std::make_unique<soci::session>(soci::sqlite3,
                                           "db=\"" + storage_.sqlite_path + "\" timeout=1");
  }

  // A customer and a license on it with `units` seats of `product`, valid around kNow.
  static std::int64_t make_license(SeatStore& store, int seed, std::int64_t units = 5,
                                   const std::string& product = "cad") {
    const auto customer = store.find_customer("Acme");
    const std::int64_t customer_id = customer ? *customer : store.create_customer("Acme", kNow);
    NewLicense license;
    license.customer_id = customer_id;
    license.product_code = product;
    license.units = units;
    license.starts_at_ms = kNow - 1000;
    license.expires_at_ms = kNow + 86'400'000;
    license.code_hash = fake_hash(seed);
    license.created_at_ms = kNow;
    return store.create_license(license);
  }

  static LeaseRecord lease(int seed, std::int64_t license_id, std::int64_t expires_at_ms,
                           const std::string& holder = "", std::int64_t units = 1) {
    LeaseRecord record;
    record.id = fake_hash(seed);
    record.license_id = license_id;
    record.product_code = "cad";
    record.holder = holder;
    record.units = units;
    record.issued_at_ms = kNow - 1000;
    record.expires_at_ms = expires_at_ms;
    return record;
  }

  // units_in_use() on any store: the units of the live leases (expiring after `now`), whether
  // the store sums them or keeps a counter less the expired ones.
  static void check_units_in_use(SeatStore& store) {
    const std::int64_t license = make_license(store, 1);
    const std::int64_t other = make_license(store, 2);
    EXPECT_EQ(store.units_in_use(license, kNow), 0);

    store.begin();
    store.insert_lease(lease(10, license, kNow + 1, "a", 2));
    store.insert_lease(lease(11, license, kNow + 5000, "b", 3));
    store.insert_lease(lease(12, license, kNow, "c", 7));       // expires exactly now: not live
    store.insert_lease(lease(13, license, kNow - 1, "d", 11));  // expired
    store.insert_lease(lease(14, other, kNow + 5000, "a", 13));
    store.commit();

    EXPECT_EQ(store.units_in_use(license, kNow), 5);
    EXPECT_EQ(store.units_in_use(license, kNow - 1), 12);
    EXPECT_EQ(store.units_in_use(license, kNow + 1), 3);
    EXPECT_EQ(store.units_in_use(other, kNow), 13);
    EXPECT_EQ(store.units_in_use(other + 100, kNow), 0);
  }

  // The seat store's part of a lease release, on any store: the lease found by its reference,
  // its release remembered (the first reason kept) until its time, undone by a rollback, and
  // forgotten a bounded step at a time.
  static void check_released_leases(SeatStore& store, std::int64_t license) {
    LeaseRecord held = lease(20, license, kNow + 300'000);
    held.ref = "00000000000000a1";
    store.begin();
    store.insert_lease(held);
    store.commit();
    for (bool keep : {false, true}) {
      store.begin();
      EXPECT_FALSE(store.find_lease_by_ref("00000000000000a2").has_value());
      auto found = store.find_lease_by_ref(held.ref);
      ASSERT_TRUE(found.has_value());
      EXPECT_EQ(found->id, held.id);
      EXPECT_EQ(found->license_id, license);
      store.delete_lease(found->id);
      store.revoke_lease(*found, "ws1 crashed", kNow, kNow + 300'000);
      store.revoke_lease(*found, "again", kNow + 1, kNow + 400'000);
      keep ? store.commit() : store.rollback();
      EXPECT_EQ(store.find_lease(held.id).has_value(), !keep);
      EXPECT_EQ(store.find_revoked_lease(held.id, kNow).has_value(), keep);
    }
    EXPECT_FALSE(store.find_lease_by_ref(held.ref).has_value());
    EXPECT_EQ(store.find_revoked_lease(held.id, kNow + 299'999), "ws1 crashed");
    EXPECT_EQ(store.find_revoked_lease(held.id, kNow + 300'000), std::nullopt);
    EXPECT_EQ(store.find_revoked_lease(fake_hash(21), kNow), std::nullopt);

    store.begin();
    for (int seed : {22, 23})
      store.revoke_lease(lease(seed, license, kNow), "gone", kNow, kNow + 100'000 + seed);
    EXPECT_EQ(store.forget_revoked_leases(kNow + 100'000, 10), 0);
    EXPECT_EQ(store.forget_revoked_leases(kNow + 300'000, 2), 2);
    EXPECT_EQ(store.forget_revoked_leases(kNow + 300'000, 2), 1);
    store.commit();
    EXPECT_EQ(store.find_revoked_lease(fake_hash(23), kNow), std::nullopt);
  }

  // Usage records on any store: appended with their transaction (a rollback drops them), with
  // and without their optional fields, and pruned oldest first a bounded step at a time.
  static void check_usage_records(SeatStore& store, std::int64_t license) {
    auto record = [&](std::int64_t at_ms, bool ending) {
      domain::UsageRecord r;
      r.at_ms = at_ms;
      r.event = ending ? domain::usage_event::kCheckin : domain::usage_event::kCheckout;
      r.license_id = license;
      r.product_code = "cad";
      r.customer_id = 1;
      if (ending) r.account_id = 2;
      r.scope = "/1/2/c1/";
      r.units = 1;
      r.user = "ann";
      if (ending) r.since_ms = at_ms - 5;
      return r;
    };
    store.begin();
    store.append_usage(record(kNow, false));
    store.rollback();
    EXPECT_EQ(store.prune_usage(kNow + 1, 10), 0);
    store.begin();
    for (std::int64_t at : {kNow + 30, kNow + 10, kNow + 20})
      store.append_usage(record(at, at > kNow + 10));
    store.commit();
    store.begin();
    EXPECT_EQ(store.prune_usage(kNow + 10, 10), 0);  // older than, not as old as
    EXPECT_EQ(store.prune_usage(kNow + 31, 2), 2);
    EXPECT_EQ(store.prune_usage(kNow + 31, 2), 1);
    store.commit();
  }

  std::filesystem::path dir_;
  Options storage_;
};

}  // namespace lmp::storage::testing
