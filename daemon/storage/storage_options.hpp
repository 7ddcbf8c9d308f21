// What the storage module needs to open a database: its own options and enums, so storage does
// not depend on the config loader (config::Storage adds the seat engine's batch size to them).
#pragma once

#include <string>

namespace lmp::storage {

enum class Backend { sqlite, postgresql };

// SQLite's PRAGMA synchronous. `full`: lmpd flushes the WAL itself before it answers (WalSync).
enum class Synchronous { full, normal };

struct Options {
  Backend backend = Backend::sqlite;
  std::string postgresql_connection;  // libpq connection string, for Backend::postgresql
  std::string sqlite_path;            // absolute
  // The server secret (storage/server_secret.hpp), absolute; empty: `<sqlite_path>.secret`
  // (SQLite only, where lmpd makes it at the first start).
  std::string secret_file;
  Synchronous synchronous = Synchronous::full;
  int busy_timeout_seconds = 5;
};

}  // namespace lmp::storage
