// Opening SQLite sessions (WAL, busy timeout, synchronous level, foreign keys, migrations) and
// the transaction state every store keeps on its session.
#include "storage/sql_session.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "storage/schema_migrations.hpp"
#include "storage/server_secret.hpp"

namespace lmp::storage {

void SessionTransaction::execute(std::unique_ptr<soci::statement>& prepared,
                                 std::string_view text) {
  if (!prepare_) {
    sql_ << std::string(text);
    return;
  }
  if (!prepared) {
    auto statement = std::make_unique<soci::statement>(sql_);
    statement->alloc();
    statement->prepare(std::string(text));
    statement->define_and_bind();
    prepared = std::move(statement);
  }
  prepared->execute(true);
}

void SessionTransaction::begin(std::string_view statement) {
  if (open_) throw StoreError("begin transaction: a transaction is already open");
  // One session always begins the same way; should it not, the statement is prepared anew.
  if (begin_text_ != statement) {
    begin_.reset();
    begin_text_ = statement;
  }
  guarded("begin transaction", [&] { execute(begin_, statement); });
  open_ = true;
}

void SessionTransaction::commit() {
  if (!open_) throw StoreError("commit transaction: no transaction is open");
  // A failed COMMIT may leave the transaction open, so the flag stays set until COMMIT
  // succeeds and the caller's rollback() still ends it.
  guarded("commit transaction", [&] { execute(commit_, "COMMIT"); });
  open_ = false;
}

void SessionTransaction::rollback() noexcept {
  if (!open_) return;
  open_ = false;
  try {
    sql_ << "ROLLBACK";
  } catch (...) {
    // SQLite ends the transaction by itself after some errors (disk full, I/O); a ROLLBACK
    // then fails, and there is nothing left to undo.
  }
}

namespace {

// The connect string's values are split at spaces unless double-quoted, and a quote cannot be
// escaped, so a path with a quote cannot be expressed at all.
std::string connect_string(const Options& storage) {
  if (storage.sqlite_path.find('"') != std::string::npos)
    throw StoreError("open database: the path must not contain a double quote");
  return "timeout=" + std::to_string(storage.busy_timeout_seconds) + " db=\"" +
         storage.sqlite_path + "\"";
}

// Switching a new file to WAL needs an exclusive lock, and SQLite answers that conflict with
// SQLITE_BUSY at once instead of calling the busy handler, so processes opening one new file
// together would fail. Retry within the same busy timeout instead. Returns the mode SQLite
// reports.
std::string enable_wal(soci::session& sql, int busy_timeout_seconds) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(busy_timeout_seconds);
  for (;;) {
    try {
      std::string journal_mode;
      sql << "PRAGMA journal_mode=WAL", soci::into(journal_mode);
      return journal_mode;
    } catch (const soci::sqlite3_soci_error& e) {
      if ((e.result() & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// A wrong secret would find no license and answer every lease `lease_unknown`, as if the data were
// gone: the database keeps a MAC of a fixed text under its secret, compared at every open.
void check_server_secret(soci::session& sql, StoredSecrets& secrets, const std::string& path) {
  std::string stored;
  guarded("read the server secret check",
          [&] { sql << "SELECT check_value FROM server_secret", soci::into(stored); });
  if (stored != secrets.check_value())
    throw StoreError("server secret " + path +
                     " is not the one this database was made with: its code hashes and lease ids "
                     "would match nothing; use the file that belongs to this database (the "
                     "backup of lmpd, or on PostgreSQL another instance's storage.secret_file)");
}

// SQLite's default, serialized mode takes the connection's mutex in every call: seventeen times
// to read one lease row. lmpd uses each connection from one thread at a time (SOCI's sessions
// are not safe to share anyway, and the TSan suite would see it), which is all multi-thread mode
// asks. It can be chosen only before SQLite initialises, so where something used SQLite first (a
// test's VFS, a plugin) the process keeps the serialized mode: slower, never wrong.
void choose_sqlite_threading_mode() {
  static std::once_flag once;
  // SOCI's header declares SQLite's interface inside namespace sqlite_api.
  std::call_once(once, [] { sqlite_api::sqlite3_config(SQLITE_CONFIG_MULTITHREAD); });
}

const char* synchronous_pragma(Synchronous level) {
  return level == Synchronous::normal ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL";
}

}  // namespace

KeyedSession open_sqlite_session(const Options& storage, Env& env) {
  const std::string secret_path = secret_file_path(storage);
  if (storage.sqlite_path.empty()) throw StoreError("open database: no sqlite_path configured");
  const char* synchronous = synchronous_pragma(storage.synchronous);
  const std::filesystem::path parent = std::filesystem::path(storage.sqlite_path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec)
      throw StoreError("open database: cannot create the folder " + parent.string() + ": " +
                       ec.message());
  }

  const std::string connect = connect_string(storage);
  // Created here, not by SQLite, which would follow the umask (0644 in a developer's shell): the
  // file holds the customers, the hashes of their codes and the leases.
  if (const std::error_code error = env.create_file(storage.sqlite_path, {});
      error && error != std::errc::file_exists)
    throw StoreError("open database: cannot create " + storage.sqlite_path + ": " +
                     error.message());
  choose_sqlite_threading_mode();
  auto sql = std::make_unique<soci::session>();
  try {
    sql->open(soci::sqlite3, connect);
  } catch (const soci::soci_error& e) {
    throw StoreError("open database " + storage.sqlite_path + ": " + e.get_error_message());
  }
  try {
    const std::string journal_mode = enable_wal(*sql, storage.busy_timeout_seconds);
    // SQLite answers with the mode it actually uses; without WAL, readers would block the
    // writer and the locking this store relies on would not hold.
    if (journal_mode != "wal")
      throw StoreError("open database: cannot use the WAL journal (the journal mode stays " +
                       journal_mode + ")");
    *sql << synchronous;
  } catch (const soci::soci_error& e) {
    throw StoreError("configure database: " + e.get_error_message());
  }
  // A database that holds a check value was keyed with a secret: making a new one would only
  // hide that the right one is missing.
  int keyed = 0;
  guarded("look for the server secret check", [&] {
    *sql << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'server_secret'",
        soci::into(keyed);
  });
  auto secrets = std::make_unique<StoredSecrets>(
      load_server_secret(secret_path, keyed > 0 ? MissingSecret::restore : MissingSecret::create,
                         env),
      env);
  // Foreign keys are enforced from here on, not while migrating: a migration that rebuilds a
  // table (drop, then rename the copy) would otherwise trip over the rows that refer to it, and
  // SQLite cannot switch them off inside the migration's transaction.
  migrate_schema(*sql, kSqliteDialect, *secrets);
  guarded("enable foreign keys", [&] { *sql << "PRAGMA foreign_keys=ON"; });
  check_server_secret(*sql, *secrets, secret_path);
  return {std::move(sql), std::move(secrets)};
}

void configure_postgresql_session(soci::session& sql) {
  // An acknowledged checkout must survive a server crash, whatever the server's default.
  sql << "SET synchronous_commit TO on";
  // libpq prints NOTICEs to stderr ("relation already exists, skipping" at every start);
  // lmpd's log is one event per line.
  sql << "SET client_min_messages TO warning";
}

KeyedSession open_postgresql_session(const Options& storage, Env& env) {
  if (storage.postgresql_connection.empty())
    throw StoreError("open database: no postgresql connection configured");
  const std::string secret_path = secret_file_path(storage);
  auto secrets = std::make_unique<StoredSecrets>(
      load_server_secret(secret_path, MissingSecret::share, env), env);
  auto sql = std::make_unique<soci::session>();
  try {
    sql->open(soci::postgresql, storage.postgresql_connection);
  } catch (const soci::soci_error& e) {
    // The connection string may hold a password: name the database by its role only.
    throw StoreError("open PostgreSQL database: " + e.get_error_message());
  }
  try {
    configure_postgresql_session(*sql);
  } catch (const soci::soci_error& e) {
    throw StoreError("configure database: " + e.get_error_message());
  }
  migrate_schema(*sql, kPostgresDialect, *secrets);
  check_server_secret(*sql, *secrets, secret_path);
  return {std::move(sql), std::move(secrets)};
}

}  // namespace lmp::storage
