// Tests of the schema migrations: a new file gets the current schema once, reopening and
// concurrent first opens never reapply a migration, and a newer database is refused.
#include "storage/schema_migrations.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "../support/schema_undo.hpp"
#include "core/sha256.hpp"
#include "storage/sql_unit_of_work.hpp"
#include "storage_test_support.hpp"

namespace lmp::storage::testing {
namespace {

using SchemaMigrationsTest = StorageTest;

int version_rows(soci::session& sql) {
  int rows = -1;
  sql << "SELECT COUNT(*) FROM schema_version", soci::into(rows);
  return rows;
}

int stored_version(soci::session& sql) {
  int version = -1;
  sql << "SELECT version FROM schema_version", soci::into(version);
  return version;
}

std::set<std::string> objects(soci::session& sql, const std::string& type) {
  std::set<std::string> names;
  std::string name;
  soci::statement st = (sql.prepare << "SELECT name FROM sqlite_master WHERE type = :type"
                                       " AND name NOT LIKE 'sqlite_%'",
                        soci::into(name), soci::use(type));
  if (st.execute(true)) {
    do {
      names.insert(name);
    } while (st.fetch());
  }
  return names;
}

// The file as an lmpd of schema `version` left it (every migration's statements up to it).
void make_database_at(soci::session& sql, int version) {
  for (const auto& migration : schema_migrations()) {
    if (migration.version > version) break;
    for (const auto& statement : migration.statements)
      if (!statement.starts_with("{postgresql_only}"))
        sql << render_statement(statement, kSqliteDialect);
  }
  sql << "CREATE TABLE schema_version (version INTEGER NOT NULL)";
  sql << "INSERT INTO schema_version (version) VALUES (:v)", soci::use(version);
}

TEST(SchemaMigrationList, VersionsCountUpFromOneWithoutGaps) {
  const auto& migrations = schema_migrations();
  ASSERT_FALSE(migrations.empty());
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_EQ(migrations[i].version, static_cast<int>(i) + 1);
    EXPECT_FALSE(migrations[i].statements.empty());
  }
  EXPECT_EQ(latest_schema_version(), migrations.back().version);
}

TEST(SchemaMigrationList, RenderSubstitutesEveryAutoIdPlaceholder) {
  const SqlDialect dialect{"SERIAL PRIMARY KEY", "BEGIN", "", true};
  EXPECT_EQ(render_statement("CREATE TABLE t (id {auto_id}, x TEXT, y {auto_id})", dialect),
            "CREATE TABLE t (id SERIAL PRIMARY KEY, x TEXT, y SERIAL PRIMARY KEY)");
  EXPECT_EQ(render_statement("CREATE INDEX i ON t (x)", dialect), "CREATE INDEX i ON t (x)");
  EXPECT_EQ(render_statement("{auto_id}", kSqliteDialect), "INTEGER PRIMARY KEY");
  EXPECT_EQ(
      render_statement("CREATE TABLE t (id TEXT PRIMARY KEY) {without_rowid}", kSqliteDialect),
      "CREATE TABLE t (id TEXT PRIMARY KEY) WITHOUT ROWID");
  EXPECT_EQ(render_statement("{shared_only}CREATE INDEX i ON t (x)", kSqliteDialect),
            "CREATE INDEX i ON t (x)");
  EXPECT_EQ(render_statement("{sqlite_only}CREATE TRIGGER t", kSqliteDialect), "CREATE TRIGGER t");
}

TEST_F(SchemaMigrationsTest, NewFileGetsEveryTableAndTheLatestVersion) {
  open();
  auto sql = raw();
  EXPECT_EQ(version_rows(*sql), 1);
  EXPECT_EQ(stored_version(*sql), latest_schema_version());
  EXPECT_EQ(objects(*sql, "table"), (std::set<std::string>{"schema_version",
                                                           "customers",
                                                           "licenses",
                                                           "activations",
                                                           "leases",
                                                           "counters",
                                                           "accounts",
                                                           "partner_permissions",
                                                           "users",
                                                           "tokens",
                                                           "audit_log",
                                                           "product_lifecycle",
                                                           "retired_licenses",
                                                           "service_plans",
                                                           "registration_keys",
                                                           "partner_pools",
                                                           "branding",
                                                           "server_secret",
                                                           "license_clock_marks",
                                                           "revoked_leases",
                                                           "usage_records",
                                                           "usage_purges",
                                                           "site_policies",
                                                           "usage_rollup_hours",
                                                           "usage_hours",
                                                           "usage_hour_holders",
                                                           "signing_keys",
                                                           "site_identity",
                                                           "imported_entitlements",
                                                           "exported_serials",
                                                           "events",
                                                           "webhooks",
                                                           "webhook_deliveries",
                                                           "console_sessions",
                                                           "branding_logos"}));
  // Leases are found by id only: the daemon reads them from memory (the caching store).
  EXPECT_EQ(objects(*sql, "index"),
            (std::set<std::string>{
                "activations_by_license", "accounts_by_path", "customers_by_owner",
                "licenses_by_customer", "audit_by_scope", "retired_licenses_by_code",
                "retired_licenses_by_license", "registration_keys_by_issuer",
                "revoked_leases_by_until", "usage_denials_by_time", "webhook_deliveries_due",
                "console_sessions_by_expiry", "console_sessions_by_user", "users_by_login"}));
  // The audit log refuses changes in the database itself.
  EXPECT_EQ(objects(*sql, "trigger"),
            (std::set<std::string>{"audit_log_no_update", "audit_log_no_delete"}));
  // WAL is a property of the file, so a second connection sees it.
  std::string mode;
  *sql << "PRAGMA journal_mode", soci::into(mode);
  EXPECT_EQ(mode, "wal");
}

TEST_F(SchemaMigrationsTest, ReopeningDoesNotReapply) {
  {
    auto store = open();
    store->create_customer("Acme", kNow);
  }
  // Reapplying version 1 would fail on CREATE TABLE customers or empty the data.
  auto store = open();
  EXPECT_TRUE(store->find_customer("Acme").has_value());
  auto sql = raw();
  EXPECT_EQ(version_rows(*sql), 1);
  EXPECT_EQ(stored_version(*sql), latest_schema_version());
}

TEST_F(SchemaMigrationsTest, AVersionOneDatabaseIsUpgradedWithItsRows) {
  std::filesystem::create_directories(std::filesystem::path(storage_.sqlite_path).parent_path());
  {
    // The file as an lmpd of schema version 1 left it, with a customer and a license.
    auto sql = raw();
    for (const auto& statement : schema_migrations().front().statements)
      *sql << render_statement(statement, kSqliteDialect);
    *sql << "CREATE TABLE schema_version (version INTEGER NOT NULL)";
    *sql << "INSERT INTO schema_version (version) VALUES (1)";
    *sql << "INSERT INTO customers (name, created_at_ms) VALUES ('Acme', 1)";
    *sql << "INSERT INTO licenses (customer_id, product_code, units, unit, starts_at_ms,"
            " expires_at_ms, code_hash, created_at_ms) VALUES (1, 'cad', 5, 'seats', 0,"
            " 9000000000000, 'h', 1)";
  }
  auto store = open();
  auto sql = raw();
  EXPECT_EQ(stored_version(*sql), latest_schema_version());
  std::string status;
  soci::indicator owner_ind = soci::i_ok;
  std::int64_t owner = 0;
  *sql << "SELECT status, owner_id FROM customers WHERE name = 'Acme'", soci::into(status),
      soci::into(owner, owner_ind);
  EXPECT_EQ(status, "enabled");
  EXPECT_EQ(owner_ind, soci::i_null);  // until `lmpd admin init` adopts it
  auto license = store->find_license(1);
  ASSERT_TRUE(license.has_value());
  EXPECT_EQ(license->customer_name, "Acme");
  EXPECT_EQ(license->starts_at_ms, 0);
  EXPECT_EQ(license->expires_at_ms, 9000000000000);  // no cut-off
}

TEST_F(SchemaMigrationsTest, AVersionSixDatabaseGetsUnambiguousSeatHolderKeys) {
  std::filesystem::create_directories(std::filesystem::path(storage_.sqlite_path).parent_path());
  const std::int64_t live = kNow + 60'000;
  {
    auto sql = raw();
    make_database_at(*sql, 6);
    *sql << "INSERT INTO customers (name, created_at_ms) VALUES ('Acme', 1)";
    *sql << "INSERT INTO licenses (customer_id, product_code, units, unit, starts_at_ms,"
            " expires_at_ms, code_hash, created_at_ms) VALUES (1, 'cad', 9, 'seats', 0,"
            " 9000000000000, 'h', 1)";
    // Keys as lmpd wrote them before the escaping: "seat:" + user + "@" + host.
    const std::pair<const char*, const char*> leases[] = {
        {"l1", "seat:ann@ws1"},        // plain: unchanged
        {"l2", "seat:alice@ws1@ws2"},  // user alice@ws1 or host ws1@ws2: nobody can tell
        {"l3", "seat:50%off@ws1"},     // a '%' in the user: escaped
        {"l4", "seat:@ws1"},           // a host alone
        {"l5", "host:ws1@corp"},       // not a seat: left alone
        {"l6", ""},                    // anonymous
    };
    for (const auto& [lease_id, lease_holder] : leases) {
      const std::string id = lease_id;
      const std::string holder = lease_holder;
      *sql << "INSERT INTO leases (id, license_id, product_code, holder, units, issued_at_ms,"
              " expires_at_ms) VALUES (:id, 1, 'cad', :holder, 1, 0, :expires)",
          soci::use(id), soci::use(holder), soci::use(live);
    }
  }
  auto store = open();
  auto holder_of = [&](const std::string& id) {
    auto lease = store->find_lease(id);
    return lease ? lease->holder : std::string("<gone>");
  };
  EXPECT_EQ(holder_of("l1"), "seat:ann@ws1");
  EXPECT_EQ(holder_of("l2"), "");
  EXPECT_EQ(holder_of("l3"), "seat:50%25off@ws1");
  EXPECT_EQ(holder_of("l4"), "seat:@ws1");
  EXPECT_EQ(holder_of("l5"), "host:ws1@corp");
  EXPECT_EQ(holder_of("l6"), "");
  // Every lease lives on, made without a holder_key.
  EXPECT_EQ(store->lease_count(), 6);
  EXPECT_EQ(store->find_lease("l2")->holder_proof, "");
  store->begin();
  EXPECT_EQ(store->units_in_use(1, kNow), 6);
  EXPECT_TRUE(store->find_live_lease_by_holder(1, "cad", "seat:ann@ws1", kNow).has_value());
  EXPECT_FALSE(store->find_live_lease_by_holder(1, "cad", "seat:alice@ws1@ws2", kNow));
  store->commit();
}

// Licenses stored before version 24 get a renewal period of their own: their plan's, or their
// term's length in whole days (at least one) when they have no plan or it is gone.
TEST_F(SchemaMigrationsTest, LicensesFromBeforeVersion24GetTheirPlansPeriodOrTheirTermsLength) {
  std::filesystem::create_directories(std::filesystem::path(storage_.sqlite_path).parent_path());
  constexpr std::int64_t kDay = 86'400'000;
  open();  // the database and its server secret, as a newer lmpd makes them; taken back below
  {
    auto sql = raw();
    *sql << "INSERT INTO accounts (kind, name, status, parent_id, path, status_changed_at_ms,"
            " created_at_ms) VALUES ('parent', 'Vendor', 'active', NULL, '/1/', 1, 1)";
    *sql << "INSERT INTO customers (name, created_at_ms) VALUES ('Acme', 1)";
    *sql << "INSERT INTO service_plans (name, owner_id, product_code, trial, unit, period_days,"
            " auto_renew, notice_days, grace_days, created_at_ms, updated_at_ms) VALUES"
            " ('monthly', 1, 'cad', 0, 'seats', 30, 1, 0, 0, 1, 1)";
    struct Row {
      const char* hash;
      std::int64_t term_ms;
      int plan;  // 0: none
    };
    const Row rows[] = {
        {"h1", 60 * kDay, 1},             // renewed once by hand: the plan's 30 days still
        {"h2", 10 * kDay + kDay / 3, 0},  // no plan: 10 days
        {"h3", 10 * kDay + kDay / 2, 9},  // its plan is gone: 11 days (rounded)
        {"h4", kDay / 4, 0},              // shorter than a day: one day
    };
    for (const auto& row : rows) {
      const std::string hash = row.hash;
      const int plan = row.plan;
      soci::indicator plan_ind = plan ? soci::i_ok : soci::i_null;
      *sql << "INSERT INTO licenses (customer_id, product_code, units, unit, starts_at_ms,"
              " expires_at_ms, code_hash, created_at_ms, plan_id) VALUES (1, 'cad', 1, 'seats',"
              " 0, :expires, :hash, 1, :plan)",
          soci::use(row.term_ms), soci::use(hash), soci::use(plan, plan_ind);
    }
    // Back to version 23: the column did not exist (nor what later migrations made).
    test::undo_migrations_after(*sql, 23, false);
  }
  open();
  auto sql = raw();
  std::vector<std::int64_t> periods;
  std::int64_t period = 0;
  soci::statement st =
      (sql->prepare << "SELECT period_days FROM licenses ORDER BY id", soci::into(period));
  st.execute();
  while (st.fetch()) periods.push_back(period);
  EXPECT_EQ(periods, (std::vector<std::int64_t>{30, 10, 11, 1}));
}

TEST_F(SchemaMigrationsTest, AVersionSevenDatabaseKeepsNoSecretUnkeyed) {
  std::filesystem::create_directories(std::filesystem::path(storage_.sqlite_path).parent_path());
  const std::string code = "48213093775162088274";
  const std::string retired_code = "11111222223333344444";
  const std::string key = "CA7K2M9QXP4HTWRB3D";
  const std::string lease_id = "9f0c5e1b7a2d4c3e8b6a1f0e9d8c7b6a";
  const std::string holder_key = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  const std::string code_digest = sha256_hex(code);
  const std::string retired_digest = sha256_hex(retired_code);
  const std::string key_digest = sha256_hex(key);
  const std::string proof_digest = sha256_hex(holder_key);
  const std::int64_t live = kNow + 60'000;
  {
    // As lmpd of schema 7 left it: SHA-256 digests and lease ids as they are.
    auto sql = raw();
    make_database_at(*sql, 7);
    *sql << "INSERT INTO accounts (kind, name, path, status, status_changed_at_ms, created_at_ms)"
            " VALUES ('parent', 'P', '/1/', 'active', 1, 1)";
    *sql << "INSERT INTO customers (name, created_at_ms) VALUES ('Acme', 1)";
    *sql << "INSERT INTO licenses (customer_id, product_code, units, unit, starts_at_ms,"
            " expires_at_ms, code_hash, created_at_ms) VALUES (1, 'cad', 9, 'seats', 0,"
            " 9000000000000, :hash, 1)",
        soci::use(code_digest);
    *sql << "INSERT INTO retired_licenses (license_id, code_hash, product_code, scope)"
            " VALUES (7, :hash, 'old', '/1/')",
        soci::use(retired_digest);
    *sql << "INSERT INTO service_plans (name, owner_id, product_code, trial, unit, period_days,"
            " auto_renew, notice_days, grace_days, created_at_ms, updated_at_ms)"
            " VALUES ('m', 1, 'cad', 0, 'seats', 30, 0, 0, 0, 1, 1)";
    *sql << "INSERT INTO registration_keys (key_hash, hint, plan_id, product_code, units,"
            " issuer_id, issued_by_user, status, created_at_ms) VALUES (:hash, 'CA-...-RB3D', 1,"
            " 'cad', 1, 1, 1, 'issued', 1)",
        soci::use(key_digest);
    *sql << "INSERT INTO leases (id, license_id, product_code, holder, holder_proof, units,"
            " issued_at_ms, expires_at_ms) VALUES (:id, 1, 'cad', 'seat:ann@ws1', :proof, 2, 0,"
            " :expires)",
        soci::use(lease_id), soci::use(proof_digest), soci::use(live);
  }
  {
    // The lease keeps working by the id its client holds, with its holder and its holder_key.
    auto store = open();
    auto lease = store->find_lease(lease_id);
    ASSERT_TRUE(lease.has_value());
    EXPECT_EQ(lease->units, 2);
    EXPECT_EQ(lease->holder_proof, store->holder_proof(holder_key));
    store->begin();
    auto held = store->find_live_lease_by_holder(1, "cad", "seat:ann@ws1", kNow);
    ASSERT_TRUE(held.has_value());
    EXPECT_EQ(held->id, lease_id);
    // Codes and keys are found by their digests, as the seat path and the domain look them up.
    EXPECT_EQ(store->find_license_by_code_hash(code_digest)->id, 1);
    EXPECT_EQ(store->find_retired_product(retired_digest), "old");
    store->commit();
    auto db = open_unit_of_work(storage_);
    db->begin_read();
    EXPECT_TRUE(db->keys().find_by_hash(key_digest).has_value());
    db->commit();
  }
  auto sql = raw();
  EXPECT_EQ(stored_version(*sql), latest_schema_version());
  for (const char* query :
       {"SELECT code_hash FROM licenses", "SELECT code_hash FROM retired_licenses",
        "SELECT key_hash FROM registration_keys", "SELECT id FROM leases",
        "SELECT sealed_id FROM leases", "SELECT holder_proof FROM leases"}) {
    std::string value;
    *sql << query, soci::into(value);
    SCOPED_TRACE(query);
    EXPECT_FALSE(value.empty());
    for (const std::string& secret :
         {code, code_digest, retired_digest, key, key_digest, lease_id, holder_key, proof_digest})
      EXPECT_EQ(value.find(secret), std::string::npos) << secret;
  }
}

// Leases stored before version 11 get a reference each (distinct, 16 hex digits) and their
// checkout as their last heartbeat, so they list like leases granted since.
TEST_F(SchemaMigrationsTest, LeasesFromAnOlderVersionGetAReferenceAndAHeartbeat) {
  std::filesystem::create_directories(std::filesystem::path(storage_.sqlite_path).parent_path());
  {
    auto sql = raw();
    *sql << "CREATE TABLE schema_version (version INTEGER NOT NULL)";
    for (const auto& migration : schema_migrations()) {
      if (migration.version > 6) break;
      for (const auto& statement : migration.statements)
        if (!statement.starts_with("{postgresql_only}"))
          *sql << render_statement(statement, kSqliteDialect);
    }
    *sql << "INSERT INTO schema_version (version) VALUES (6)";
    *sql << "INSERT INTO customers (name, created_at_ms) VALUES ('Acme', 1)";
    *sql << "INSERT INTO licenses (customer_id, product_code, units, unit, starts_at_ms,"
            " expires_at_ms, code_hash, created_at_ms) VALUES (1, 'cad', 5, 'seats', 0,"
            " 9000000000000, 'h', 1)";
    for (int i = 0; i < 3; ++i)
      *sql << "INSERT INTO leases (id, license_id, product_code, holder, units, issued_at_ms,"
              " expires_at_ms) VALUES ('" +
                  fake_hash(i) + "', 1, 'cad', '', 1, " + std::to_string(kNow + i) +
                  ", 9000000000000)";
  }
  auto store = open();
  std::set<std::string> refs;
  for (int i = 0; i < 3; ++i) {
    auto lease = store->find_lease(fake_hash(i));
    ASSERT_TRUE(lease.has_value());
    EXPECT_EQ(lease->ref.size(), 16u);
    EXPECT_EQ(lease->ref.find_first_not_of("0123456789abcdef"), std::string::npos) << lease->ref;
    EXPECT_EQ(lease->heartbeat_at_ms, kNow + i);
    refs.insert(lease->ref);
  }
  EXPECT_EQ(refs.size(), 3u);
}

// Version 31 on SQLite: usage record ids carry their times (storage/usage_record_ids.hpp). The
// records stored before are numbered again in time order, ties in the order they were written;
// only past the 2,048th record of a millisecond does a record's time move (forward), and the
// roll-ups from the hour the first moved record left are marked to be made again.
TEST_F(SchemaMigrationsTest, UsageRecordsFromBeforeVersion31AreNumberedByTheirTimes) {
  std::filesystem::create_directories(std::filesystem::path(storage_.sqlite_path).parent_path());
  constexpr std::int64_t kHour = 3'600'000;
  const std::int64_t hour = kNow / kHour * kHour;
  const std::int64_t last_ms = hour + kHour - 1;  // the hour's last millisecond
  // As written before: ids in the order written, times not always in that order (a clock set
  // back), and 2,051 records in one millisecond.
  std::vector<std::pair<std::int64_t, std::string>> written = {
      {hour - kHour + 5, "a"}, {hour + 9, "b"}, {hour + 2, "c"}, {hour + 9, "d"}};
  for (int i = 0; i < 2051; ++i) written.emplace_back(last_ms, "burst-" + std::to_string(i));
  written.emplace_back(last_ms + 1, "e");  // lands after the three that spill into its time
  open();  // made at the latest version with its server secret, then taken back to 30
  {
    auto sql = raw();
    soci::transaction tx(*sql);
    *sql << "UPDATE schema_version SET version = 30";
    *sql << "CREATE INDEX usage_records_by_time ON usage_records (at_ms)";
    std::int64_t written_id = 0;
    for (const auto& [at, ref] : written) {
      const std::string event = ref == "d" ? "denial" : "checkout";
      ++written_id;
      *sql << "INSERT INTO usage_records (id, at_ms, event, license_id, product_code,"
              " customer_id, scope, units, user_name, host, peer, lease_ref, code) VALUES (:id,"
              " :at, :event, 1, 'cad', 1, '/c1/', 1, 'u', 'h', 'p', :ref, '')",
          soci::use(written_id), soci::use(at), soci::use(event), soci::use(ref);
    }
    for (const std::int64_t rolled : {hour - kHour, hour, hour + kHour})
      *sql << "INSERT INTO usage_rollup_hours (hour_ms, records) VALUES (:hour, 7)",
          soci::use(rolled);
    tx.commit();
  }
  open();
  auto sql = raw();
  EXPECT_EQ(stored_version(*sql), latest_schema_version());
  std::vector<std::tuple<std::int64_t, std::int64_t, std::string>> rows;
  {
    std::int64_t id = 0;
    std::int64_t at = 0;
    std::string ref;
    soci::statement st = (sql->prepare << "SELECT id, at_ms, lease_ref FROM usage_records"
                                          " ORDER BY id",
                          soci::into(id), soci::into(at), soci::into(ref));
    st.execute();
    while (st.fetch()) rows.emplace_back(id, at, ref);
  }
  ASSERT_EQ(rows.size(), written.size());
  std::vector<std::tuple<std::int64_t, std::int64_t, std::string>> want;
  auto put = [&](std::int64_t at, int place, const std::string& ref) {
    want.emplace_back((at << 11) + place, at, ref);
  };
  put(hour - kHour + 5, 0, "a");
  put(hour + 2, 0, "c");
  put(hour + 9, 0, "b");
  put(hour + 9, 1, "d");
  for (int i = 0; i < 2048; ++i) put(last_ms, i, "burst-" + std::to_string(i));
  for (int i = 2048; i < 2051; ++i) put(last_ms + 1, i - 2048, "burst-" + std::to_string(i));
  put(last_ms + 1, 3, "e");
  EXPECT_EQ(rows, want);
  // The time index is the ids now; the denials keep their partial index.
  EXPECT_EQ(objects(*sql, "index").count("usage_records_by_time"), 0u);
  EXPECT_EQ(objects(*sql, "index").count("usage_denials_by_time"), 1u);
  EXPECT_EQ(objects(*sql, "table").count("usage_records_renumbered"), 0u);
  std::vector<std::pair<std::int64_t, std::int64_t>> hours;
  {
    std::int64_t hour_ms = 0;
    std::int64_t records = 0;
    soci::statement st = (sql->prepare << "SELECT hour_ms, records FROM usage_rollup_hours"
                                          " ORDER BY hour_ms",
                          soci::into(hour_ms), soci::into(records));
    st.execute();
    while (st.fetch()) hours.emplace_back(hour_ms, records);
  }
  EXPECT_EQ(hours, (std::vector<std::pair<std::int64_t, std::int64_t>>{
                       {hour - kHour, 7}, {hour, -1}, {hour + kHour, -1}}));
}

TEST_F(SchemaMigrationsTest, NewerDatabaseIsRefused) {
  open();
  {
    auto sql = raw();
    *sql << "UPDATE schema_version SET version = 99";
  }
  try {
    open();
    FAIL() << "a database from a newer lmpd was opened";
  } catch (const StoreError& e) {
    EXPECT_EQ(std::string(e.what()),
              "database schema version 99 is newer than this lmpd supports (" +
                  std::to_string(latest_schema_version()) + ")");
  }
  // The refusal changed nothing.
  auto sql = raw();
  EXPECT_EQ(stored_version(*sql), 99);
}

// Version 19 (issue #21): a license id is never given twice. An older database (version 7 here:
// one made without the server secret, which the upgrade then creates) keeps its licenses with
// their ids, leases and activations, and a new license gets an id above every one ever given:
// those left, those End of Life deleted (retired_licenses) and those only the audit log still
// names; so does one made after the newest license is deleted.
TEST_F(SchemaMigrationsTest, LicenseIdsAreNeverGivenTwiceAfterTheUpgrade) {
  std::filesystem::create_directories(std::filesystem::path(storage_.sqlite_path).parent_path());
  {
    auto sql = raw();
    make_database_at(*sql, 7);
    *sql << "INSERT INTO customers (name, created_at_ms) VALUES ('Acme', 1)";
    for (int id : {1, 3})
      *sql << "INSERT INTO licenses (id, customer_id, product_code, units, unit, starts_at_ms,"
              " expires_at_ms, code_hash, created_at_ms, grace_ms) VALUES (" +
                  std::to_string(id) + ", 1, 'cad', 5, 'seats', 0, 9000000000000, 'h" +
                  std::to_string(id) + "', 1, 77)";
    *sql << "INSERT INTO leases (id, license_id, product_code, holder, units, issued_at_ms,"
            " expires_at_ms) VALUES ('l1', 3, 'cad', '', 2, 0, 9000000000000)";
    *sql << "INSERT INTO activations (license_id, host, user_name, at_ms) VALUES (3, 'ws', 'u', 1)";
    *sql << "INSERT INTO retired_licenses (license_id, code_hash, product_code, scope)"
            " VALUES (7, 'r7', 'old', '/1/')";
    *sql << "INSERT INTO audit_log (at_ms, actor_scope, scope, action, object)"
            " VALUES (1, '/1/', '/1/c1/', 'license.create', 'license:9')";
  }
  auto store = open();
  ASSERT_TRUE(store->find_license(1).has_value());
  auto kept = store->find_license(3);
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->grace_ms, 77);
  ASSERT_TRUE(store->find_lease("l1").has_value());
  EXPECT_EQ(store->find_lease("l1")->units, 2);
  EXPECT_EQ(make_license(*store, 10), 10);
  // The newest license goes (as an End-of-Life deletion removes it); its id stays used.
  *raw() << "DELETE FROM licenses WHERE id = 10";
  EXPECT_EQ(make_license(*store, 11), 11);
  // The rebuilt table is the one the other tables refer to, and nothing refers to a missing row.
  auto sql = raw();
  int orphans = -1;
  *sql << "SELECT COUNT(*) FROM pragma_foreign_key_check", soci::into(orphans);
  EXPECT_EQ(orphans, 0);
  EXPECT_EQ(objects(*sql, "table").count("licenses_never_reused"), 0u);
  EXPECT_EQ(objects(*sql, "index").count("licenses_by_customer"), 1u);
}

TEST_F(SchemaMigrationsTest, ConcurrentFirstOpensApplyEachMigrationOnce) {
  storage_.busy_timeout_seconds = 5;
  constexpr int kOpeners = 4;
  std::vector<std::string> errors(kOpeners);
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([this, &errors, i] {
      try {
        open_sqlite(storage_);
      } catch (const std::exception& e) {
        errors[static_cast<std::size_t>(i)] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& error : errors) EXPECT_EQ(error, "");
  auto sql = raw();
  EXPECT_EQ(version_rows(*sql), 1);
  EXPECT_EQ(stored_version(*sql), latest_schema_version());
}

}  // namespace
}  // namespace lmp::storage::testing
