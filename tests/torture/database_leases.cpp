// The leases table read through the SQLite C API with a read-only connection.
#include "database_leases.hpp"

#include <sqlite3.h>

#include <memory>
#include <stdexcept>

namespace lmp::torture {

std::unordered_map<std::string, StoredLease> read_stored_leases(const std::filesystem::path& db) {
  sqlite3* raw = nullptr;
  const int opened = ::sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, decltype(&::sqlite3_close)> connection(raw, &::sqlite3_close);
  if (opened != SQLITE_OK)
    throw std::runtime_error("cannot open " + db.string() + ": " + ::sqlite3_errstr(opened));
  // lmpd holds the write lock only for a moment at a time; wait rather than fail on it.
  ::sqlite3_busy_timeout(raw, 10000);
  sqlite3_stmt* statement = nullptr;
  if (::sqlite3_prepare_v2(raw, "SELECT id, license_id, units, expires_at_ms FROM leases", -1,
                           &statement, nullptr) != SQLITE_OK)
    throw std::runtime_error("cannot read the leases of " + db.string() + ": " +
                             ::sqlite3_errmsg(raw));
  std::unique_ptr<sqlite3_stmt, decltype(&::sqlite3_finalize)> query(statement,
                                                                     &::sqlite3_finalize);
  std::unordered_map<std::string, StoredLease> leases;
  int step = SQLITE_ROW;
  while ((step = ::sqlite3_step(statement)) == SQLITE_ROW) {
    const auto* id = reinterpret_cast<const char*>(::sqlite3_column_text(statement, 0));
    leases[id == nullptr ? "" : id] =
        StoredLease{::sqlite3_column_int64(statement, 1), ::sqlite3_column_int64(statement, 2),
                    ::sqlite3_column_int64(statement, 3)};
  }
  if (step != SQLITE_DONE)
    throw std::runtime_error("reading the leases of " + db.string() +
                             " failed: " + ::sqlite3_errmsg(raw));
  return leases;
}

}  // namespace lmp::torture
