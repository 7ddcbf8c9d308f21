// Tests of the schema migrations: a new file gets the current schema once, reopening and
// concurrent first opens never reapply a migration, and a newer database is refused.
#include "storage/schema_migrations.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

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
                                                           "revoked_leases",
                                                           "usage_records",
                                                           "usage_purges"}));
  // Leases are found by id only: the daemon reads them from memory (the caching store).
  EXPECT_EQ(
      objects(*sql, "index"),
      (std::set<std::string>{"activations_by_license", "accounts_by_path", "customers_by_owner",
                             "licenses_by_customer", "audit_by_scope", "retired_licenses_by_code",
                             "retired_licenses_by_license", "registration_keys_by_issuer",
                             "revoked_leases_by_until", "usage_records_by_time"}));
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

// Leases stored before version 7 get a reference each (distinct, 16 hex digits) and their
// checkout as their last heartbeat, so they list like leases granted since.
TEST_F(SchemaMigrationsTest, LeasesFromBeforeVersionSevenGetAReferenceAndAHeartbeat) {
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
