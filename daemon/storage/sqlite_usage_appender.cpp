// The seat path's usage records written at commit on SQLite, many rows a statement.
#include "storage/sqlite_usage_appender.hpp"

#include <string>
#include <string_view>

#include "storage/usage_record_ids.hpp"

namespace lmp::storage {
namespace {

constexpr int kColumns = 15;

std::string insert_text(std::size_t rows) {
  std::string text =
      "INSERT INTO usage_records (id, at_ms, event, license_id, product_code, customer_id,"
      " account_id, scope, units, user_name, host, peer, lease_ref, code, since_ms) VALUES ";
  for (std::size_t row = 0; row < rows; ++row) {
    if (row != 0) text += ',';
    text += "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  }
  return text;
}

}  // namespace

SqliteUsageAppender::SqliteUsageAppender(soci::session& sql)
    : many_(sql, insert_text(kRowsPerStatement)),
      one_(sql, insert_text(1)),
      last_id_(sql, "SELECT COALESCE(MAX(id), -1) FROM usage_records") {}

void SqliteUsageAppender::write() {
  struct Forget {
    std::vector<domain::UsageRecord>& held;
    ~Forget() { held.clear(); }
  } forget{held_};
  if (held_.empty()) return;
  // Read at every commit rather than kept: the administrators' End-of-Life deletions write
  // records too, on another connection. The write lock, held since BEGIN IMMEDIATE, keeps it
  // the last until this commit.
  last_id_written_ = -1;
  while (last_id_.next_row("read the last usage record id"))
    last_id_written_ = last_id_.column_int64(0);
  std::size_t at = 0;
  for (; held_.size() - at >= kRowsPerStatement; at += kRowsPerStatement)
    insert(many_, at, kRowsPerStatement);
  for (; at < held_.size(); ++at) insert(one_, at, 1);
}

void SqliteUsageAppender::insert(SqliteStatement& statement, std::size_t first, std::size_t rows) {
  for (std::size_t row = 0; row < rows; ++row) {
    const domain::UsageRecord& r = held_[first + row];
    const int at = static_cast<int>(row) * kColumns;
    last_id_written_ = next_usage_id(r.at_ms, last_id_written_);
    statement.bind(at + 1, last_id_written_);
    statement.bind(at + 2, usage_id_time(last_id_written_));
    statement.bind(at + 3, r.event);
    statement.bind(at + 4, r.license_id);
    statement.bind(at + 5, r.product_code);
    statement.bind(at + 6, r.customer_id);
    statement.bind(at + 7, r.account_id);
    statement.bind(at + 8, r.scope);
    statement.bind(at + 9, r.units);
    statement.bind(at + 10, r.user);
    statement.bind(at + 11, r.host);
    statement.bind(at + 12, r.peer);
    statement.bind(at + 13, r.lease_ref);
    statement.bind(at + 14, r.code);
    statement.bind(at + 15, r.since_ms);
  }
  statement.run("append usage records");
}

}  // namespace lmp::storage
