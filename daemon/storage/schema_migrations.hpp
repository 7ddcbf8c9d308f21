// The versioned schema of the license database: the ordered list of migrations and the runner
// that brings a database up to the newest version this binary knows.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace soci {
class session;
}

namespace lmp::storage {

class StoredSecrets;

// The few places where SQLite and PostgreSQL cannot share one spelling. Migration text writes
// `{auto_id}` where an auto-assigned integer primary key goes and `{without_rowid}` after a
// table that needs no separate row id; the runner substitutes them. A statement that starts with
// `{shared_only}` runs only on a database that several lmpd instances share; one that starts with
// `{sqlite_only}` only on SQLite (its PostgreSQL counterpart is written for that backend).
struct SqlDialect {
  // Column type and constraint of an auto-assigned integer primary key.
  std::string_view auto_id;
  // Opens a write transaction that excludes every other migrator until COMMIT, so two processes
  // opening one new database never apply a migration twice.
  std::string_view begin_write;
  // Table option for a table stored in its primary key's order (empty where that is the rule).
  std::string_view without_rowid;
  // Several instances read leases from this database (no instance can cache them), so the lease
  // queries need their indexes.
  bool shared_database = false;
  // SQLite only: statements marked `{sqlite_only}` run (its triggers' syntax is its own).
  bool sqlite = false;
  // Run right after begin_write where that alone does not exclude other migrators.
  std::string_view lock_migrations = {};
};

// SQLite-specific: `INTEGER PRIMARY KEY` aliases the rowid, which SQLite assigns itself; and
// only BEGIN IMMEDIATE takes the write lock up front (a plain BEGIN could fail half-way with
// "database is locked" when another process migrates at the same time). One lmpd owns a SQLite
// file and reads leases from memory, so leases are only looked up by id there: every extra index
// would cost B-tree work and WAL pages on each checkout, heartbeat and checkin.
inline constexpr SqlDialect kSqliteDialect{"INTEGER PRIMARY KEY", "BEGIN IMMEDIATE",
                                           "WITHOUT ROWID", false, true};

// PostgreSQL: BIGSERIAL assigns ids; every table is a heap, so there is no WITHOUT ROWID; the
// database is shared, so the lease indexes exist; and a transaction-scoped advisory lock makes
// instances that start together migrate one after the other (the second then finds the schema
// current), which a plain BEGIN would not.
inline constexpr SqlDialect kPostgresDialect{
    "BIGSERIAL PRIMARY KEY", "BEGIN", "", true, false, "SELECT pg_advisory_xact_lock(7235301)"};

// One schema version: statements run in order, then `rewrite` if there is one (rows that SQL
// alone cannot change, storage/migration_steps.hpp; it gets the server secret's keyed forms), in
// one transaction, together with the update of `schema_version`.
struct Migration {
  int version = 0;
  std::vector<std::string> statements;
  void (*rewrite)(soci::session& sql, StoredSecrets& secrets) = nullptr;
};

// Every migration, oldest first; versions are 1, 2, 3... A schema change is a new entry at the
// end; entries already released are never edited, because databases in the field ran them.
const std::vector<Migration>& schema_migrations();

// The version a database has once every migration ran.
int latest_schema_version();

// The statement with the dialect's spellings substituted (and the `{shared_only}` mark dropped).
std::string render_statement(std::string_view statement, const SqlDialect& dialect);

// Applies each missing migration in its own write transaction; `secrets` key what a migration
// rewrites. Throws StoreError when the database is newer than this binary or a migration fails
// (that migration is rolled back; the ones before it stay committed). REQUIRES: no transaction
// open on `sql`.
void migrate_schema(soci::session& sql, const SqlDialect& dialect, StoredSecrets& secrets);

}  // namespace lmp::storage
