// The seat path's usage records on SQLite: held for the open transaction and written at its
// commit through SQLite's own prepared statements, many rows a statement (docs/benchmarks.md,
// "Usage records at commit").
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "domain/usage_record.hpp"
#include "storage/sqlite_statement.hpp"

namespace lmp::storage {

// SOCI binds each of a record's 14 values through its own layers at every execute and runs one
// statement a row; this writes the rows a batch made in statements of kRowsPerStatement rows,
// bound straight from the held records, the rest one a row. Nothing reads a record in the
// transaction that made it, so holding them to the commit changes no answer, and a failure then
// fails the commit as a failed insert would have failed the transaction.
// Thread safety: none; one per store, on its session's thread.
class SqliteUsageAppender {
 public:
  static constexpr std::size_t kRowsPerStatement = 32;

  // `sql` is an open SQLite session; it must outlive this (the statements are its connection's).
  explicit SqliteUsageAppender(soci::session& sql);

  void hold(const domain::UsageRecord& record) { held_.push_back(record); }
  bool empty() const { return held_.empty(); }

  // Inserts the held records in their order, with ids and times by next_usage_id
  // (storage/usage_record_ids.hpp), and forgets them, whatever the outcome. Throws
  // StoreError naming SQLite's error; the caller's transaction must then roll back.
  void write();
  void clear() noexcept { held_.clear(); }

 private:
  void insert(SqliteStatement& statement, std::size_t first, std::size_t rows);

  std::vector<domain::UsageRecord> held_;
  std::int64_t last_id_written_ = -1;  // while write() runs: the id of the row bound last
  SqliteStatement many_;               // kRowsPerStatement rows
  SqliteStatement one_;
  SqliteStatement last_id_;
};

}  // namespace lmp::storage
