// One prepared statement on a SOCI session's SQLite connection, bound by position and run
// through SQLite's own interface: for the seat path's most frequent writes, where SOCI's
// per-execute work on every bound value costs more than the statement, and for reading every
// lease at a start, where its per-row work did (docs/benchmarks.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace soci {
class session;
}  // namespace soci

namespace lmp::storage {

// Thread safety: none; on its session's thread only. The session must outlive it.
class SqliteStatement {
 public:
  // `text` may use `:name` parameters: SQLite numbers them from 1 in order of first appearance.
  // Throws StoreError.
  SqliteStatement(soci::session& sql, std::string_view text);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Text is not copied: it must stay as it is until run() returns.
  void bind(int index, std::string_view text);
  void bind(int index, std::int64_t value);
  void bind(int index, const std::optional<std::int64_t>& value);  // nullopt: NULL

  // Runs the statement, which returns no row, and makes it ready to be bound again. Throws
  // StoreError naming `operation` and SQLite's message (never a bound value).
  void run(std::string_view operation);

  // For a statement that returns rows: steps to the next one, true while there is one to read
  // through the column getters (by position from 0); false at the end, which resets the
  // statement. Throws StoreError naming `operation` (and resets it).
  bool next_row(std::string_view operation);
  std::int64_t column_int64(int index) const;
  // Valid until the next step; NULL reads as empty.
  std::string_view column_text(int index) const;

 private:
  [[noreturn]] void fail(std::string_view operation);
  void* connection_;   // sqlite3*: SQLite's header stays in the .cpp
  void* statement_;    // sqlite3_stmt*
  bool bound_ = true;  // false after a bind failed
};

}  // namespace lmp::storage
