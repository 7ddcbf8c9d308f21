// The seat path's usage records written at commit on SQLite, many rows a statement.
#include "storage/sqlite_usage_appender.hpp"

#include <string>
#include <string_view>

namespace lmp::storage {
namespace {

constexpr int kColumns = 14;

std::string insert_text(std::size_t rows) {
  std::string text =
      "INSERT INTO usage_records (at_ms, event, license_id, product_code, customer_id, account_id,"
      " scope, units, user_name, host, peer, lease_ref, code, since_ms) VALUES ";
  for (std::size_t row = 0; row < rows; ++row) {
    if (row != 0) text += ',';
    text += "(?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  }
  return text;
}

}  // namespace

SqliteUsageAppender::SqliteUsageAppender(soci::session& sql)
    : many_(sql, insert_text(kRowsPerStatement)), one_(sql, insert_text(1)) {}

void SqliteUsageAppender::write() {
  struct Forget {
    std::vector<domain::UsageRecord>& held;
    ~Forget() { held.clear(); }
  } forget{held_};
  std::size_t at = 0;
  for (; held_.size() - at >= kRowsPerStatement; at += kRowsPerStatement)
    insert(many_, at, kRowsPerStatement);
  for (; at < held_.size(); ++at) insert(one_, at, 1);
}

void SqliteUsageAppender::insert(SqliteStatement& statement, std::size_t first, std::size_t rows) {
  for (std::size_t row = 0; row < rows; ++row) {
    const domain::UsageRecord& r = held_[first + row];
    const int at = static_cast<int>(row) * kColumns;
    statement.bind(at + 1, r.at_ms);
    statement.bind(at + 2, r.event);
    statement.bind(at + 3, r.license_id);
    statement.bind(at + 4, r.product_code);
    statement.bind(at + 5, r.customer_id);
    statement.bind(at + 6, r.account_id);
    statement.bind(at + 7, r.scope);
    statement.bind(at + 8, r.units);
    statement.bind(at + 9, r.user);
    statement.bind(at + 10, r.host);
    statement.bind(at + 11, r.peer);
    statement.bind(at + 12, r.lease_ref);
    statement.bind(at + 13, r.code);
    statement.bind(at + 14, r.since_ms);
  }
  statement.run("append usage records");
}

}  // namespace lmp::storage
