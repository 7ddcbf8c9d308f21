// Opening a SOCI session on the configured database the way every lmpd session needs it (SQLite:
// WAL, busy timeout, synchronous level, foreign keys; PostgreSQL: durable commits), with the
// current schema and the server secret it was made with, shared by the seat store and the domain
// store so their sessions agree; and the SOCI error guard they share.
// Included only by daemon/storage/*.cpp and by tests that look into the database (it brings in
// SOCI).
#pragma once

#include <soci/soci.h>

#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include "storage/seat_store.hpp"
#include "storage/storage_options.hpp"
#include "storage/stored_secrets.hpp"

namespace lmp::storage {

// A session on the database, and the keyed forms of clients' secrets under the database's server
// secret, for that session's thread.
struct KeyedSession {
  std::unique_ptr<soci::session> sql;
  std::unique_ptr<StoredSecrets> secrets;
};

// Creates the folder and file if needed, the file readable by its owner only (0600; SQLite gives
// its -wal and -shm files the same mode). Reads the server secret (storage/server_secret.hpp),
// making it when the database has none yet, migrates, and checks that the secret is the one the
// database was made with. Throws StoreError naming what failed.
KeyedSession open_sqlite_session(const Options& storage, Env& env = Env::posix());

// Connects with the config's connection string, makes every commit durable before it returns
// (synchronous_commit=on), reads the server secret (which must exist), migrates and checks the
// secret against the database; several instances may do this at once. Throws StoreError.
KeyedSession open_postgresql_session(const Options& storage, Env& env = Env::posix());

// The settings every PostgreSQL session of lmpd runs with; again after a reconnect. Throws
// soci::soci_error.
void configure_postgresql_session(soci::session& sql);

// The transaction state of one session: BEGIN (IMMEDIATE for writes), COMMIT, ROLLBACK, and
// whether one is open. Throws StoreError; rollback() never throws.
class SessionTransaction {
 public:
  explicit SessionTransaction(soci::session& sql) : sql_(sql) {}
  void begin(std::string_view statement);  // "BEGIN IMMEDIATE" or "BEGIN"
  void commit();
  void rollback() noexcept;
  bool open() const { return open_; }

 private:
  // Runs `text` through a statement prepared on first use.
  void execute(std::unique_ptr<soci::statement>& prepared, std::string_view text);

  soci::session& sql_;
  bool open_ = false;
  // On SQLite, BEGIN and COMMIT run once per batch of seat requests: prepared once instead of
  // parsed at every batch. Not on PostgreSQL, whose prepared statements die with a reconnect.
  const bool prepare_ = sql_.get_backend_name() == "sqlite3";
  std::unique_ptr<soci::statement> begin_;
  std::string begin_text_;
  std::unique_ptr<soci::statement> commit_;
};

// Runs `body`, turning a database error into a StoreError that names the operation. Only
// get_error_message() is used: what() appends the bound values (codes, token hashes).
template <class Body>
std::invoke_result_t<Body&> guarded(std::string_view operation, Body&& body) {
  try {
    return body();
  } catch (const soci::soci_error& e) {
    throw StoreError(std::string(operation) + ": " + e.get_error_message());
  }
}

}  // namespace lmp::storage
