// SqliteStatement over SQLite's C interface (SOCI's SQLite header wraps it in namespace
// sqlite_api, so that spelling is used here too).
#include "storage/sqlite_statement.hpp"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <string>

#include "storage/seat_store.hpp"

namespace lmp::storage {
namespace {

namespace sq = sqlite_api;

sq::sqlite3* db(void* connection) {
  return static_cast<sq::sqlite3*>(connection);
}
sq::sqlite3_stmt* st(void* statement) {
  return static_cast<sq::sqlite3_stmt*>(statement);
}

}  // namespace

SqliteStatement::SqliteStatement(soci::session& sql, std::string_view text)
    : connection_(static_cast<soci::sqlite3_session_backend*>(sql.get_backend())->conn_),
      statement_(nullptr) {
  sq::sqlite3_stmt* prepared = nullptr;
  // Kept for the connection's life: SQLITE_PREPARE_PERSISTENT tells SQLite so.
  if (sq::sqlite3_prepare_v3(db(connection_), text.data(), static_cast<int>(text.size()),
                             SQLITE_PREPARE_PERSISTENT, &prepared, nullptr) != SQLITE_OK) {
    sq::sqlite3_finalize(prepared);
    throw StoreError("preparing statements: " + std::string(sq::sqlite3_errmsg(db(connection_))));
  }
  statement_ = prepared;
}

SqliteStatement::~SqliteStatement() {
  sq::sqlite3_finalize(st(statement_));
}

void SqliteStatement::bind(int index, std::string_view text) {
  bound_ &= sq::sqlite3_bind_text(st(statement_), index, text.data(), static_cast<int>(text.size()),
                                  SQLITE_STATIC) == SQLITE_OK;
}

void SqliteStatement::bind(int index, std::int64_t value) {
  bound_ &= sq::sqlite3_bind_int64(st(statement_), index, value) == SQLITE_OK;
}

void SqliteStatement::bind(int index, const std::optional<std::int64_t>& value) {
  if (value) return bind(index, *value);
  bound_ &= sq::sqlite3_bind_null(st(statement_), index) == SQLITE_OK;
}

void SqliteStatement::run(std::string_view operation) {
  if (!bound_) {
    bound_ = true;
    sq::sqlite3_clear_bindings(st(statement_));
    fail(operation);
  }
  const int stepped = sq::sqlite3_step(st(statement_));
  // Reset whatever the step gave, so the statement holds no read or write of its own past this
  // call. Text bound without a copy is bound again before the next step, so it may dangle now.
  sq::sqlite3_reset(st(statement_));
  if (stepped != SQLITE_DONE) {
    sq::sqlite3_clear_bindings(st(statement_));
    fail(operation);
  }
}

bool SqliteStatement::next_row(std::string_view operation) {
  const int stepped = sq::sqlite3_step(st(statement_));
  if (stepped == SQLITE_ROW) return true;
  sq::sqlite3_reset(st(statement_));
  if (stepped != SQLITE_DONE) fail(operation);
  return false;
}

std::int64_t SqliteStatement::column_int64(int index) const {
  return sq::sqlite3_column_int64(st(statement_), index);
}

std::string_view SqliteStatement::column_text(int index) const {
  const auto* text = sq::sqlite3_column_text(st(statement_), index);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text),
          static_cast<std::size_t>(sq::sqlite3_column_bytes(st(statement_), index))};
}

void SqliteStatement::fail(std::string_view operation) {
  throw StoreError(std::string(operation) + ": " + sq::sqlite3_errmsg(db(connection_)));
}

}  // namespace lmp::storage
