// The seat path's usage records written at commit on SQLite, through SQLite's C interface (SOCI's
// SQLite header wraps it in namespace sqlite_api, so that spelling is used here too).
#include "storage/sqlite_usage_appender.hpp"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <string>
#include <string_view>

#include "storage/seat_store.hpp"

namespace lmp::storage {
namespace {

namespace sq = sqlite_api;

constexpr std::string_view kInsert =
    "INSERT INTO usage_records (at_ms, event, license_id, product_code, customer_id, account_id,"
    " scope, units, user_name, host, peer, lease_ref, code, since_ms) VALUES ";
constexpr std::string_view kRow = "(?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
constexpr int kColumns = 14;

sq::sqlite3* handle(void* connection) {
  return static_cast<sq::sqlite3*>(connection);
}

[[noreturn]] void fail(sq::sqlite3* db, std::string_view what) {
  throw StoreError("append usage records: " + std::string(what) + ": " + sq::sqlite3_errmsg(db));
}

}  // namespace

struct SqliteUsageAppender::Statement {
  sq::sqlite3_stmt* prepared = nullptr;
  ~Statement() { sq::sqlite3_finalize(prepared); }
};

SqliteUsageAppender::SqliteUsageAppender(soci::session& sql)
    : connection_(static_cast<soci::sqlite3_session_backend*>(sql.get_backend())->conn_),
      many_(std::make_unique<Statement>()),
      one_(std::make_unique<Statement>()) {
  auto prepare = [&](Statement& statement, std::size_t rows) {
    std::string text(kInsert);
    for (std::size_t row = 0; row < rows; ++row) {
      if (row != 0) text += ',';
      text += kRow;
    }
    // Kept for the connection's life: SQLITE_PREPARE_PERSISTENT tells SQLite so.
    if (sq::sqlite3_prepare_v3(handle(connection_), text.c_str(), static_cast<int>(text.size()),
                               SQLITE_PREPARE_PERSISTENT, &statement.prepared,
                               nullptr) != SQLITE_OK)
      fail(handle(connection_), "preparing the insert");
  };
  prepare(*many_, kRowsPerStatement);
  prepare(*one_, 1);
}

SqliteUsageAppender::~SqliteUsageAppender() = default;

void SqliteUsageAppender::write() {
  struct Forget {
    std::vector<domain::UsageRecord>& held;
    ~Forget() { held.clear(); }
  } forget{held_};
  std::size_t at = 0;
  for (; held_.size() - at >= kRowsPerStatement; at += kRowsPerStatement)
    insert(*many_, at, kRowsPerStatement);
  for (; at < held_.size(); ++at) insert(*one_, at, 1);
}

void SqliteUsageAppender::insert(Statement& statement, std::size_t first, std::size_t rows) {
  sq::sqlite3_stmt* st = statement.prepared;
  // The records outlive the step: their text is bound without a copy (SQLITE_STATIC).
  auto text = [&](int index, std::string_view value) {
    return sq::sqlite3_bind_text(st, index, value.data(), static_cast<int>(value.size()),
                                 SQLITE_STATIC);
  };
  auto optional = [&](int index, const std::optional<std::int64_t>& value) {
    return value ? sq::sqlite3_bind_int64(st, index, *value) : sq::sqlite3_bind_null(st, index);
  };
  int bad = SQLITE_OK;
  for (std::size_t row = 0; row < rows; ++row) {
    const domain::UsageRecord& r = held_[first + row];
    const int at = static_cast<int>(row) * kColumns;
    bad |= sq::sqlite3_bind_int64(st, at + 1, r.at_ms);
    bad |= text(at + 2, r.event);
    bad |= sq::sqlite3_bind_int64(st, at + 3, r.license_id);
    bad |= text(at + 4, r.product_code);
    bad |= sq::sqlite3_bind_int64(st, at + 5, r.customer_id);
    bad |= optional(at + 6, r.account_id);
    bad |= text(at + 7, r.scope);
    bad |= sq::sqlite3_bind_int64(st, at + 8, r.units);
    bad |= text(at + 9, r.user);
    bad |= text(at + 10, r.host);
    bad |= text(at + 11, r.peer);
    bad |= text(at + 12, r.lease_ref);
    bad |= text(at + 13, r.code);
    bad |= optional(at + 14, r.since_ms);
  }
  if (bad != SQLITE_OK) {
    sq::sqlite3_clear_bindings(st);
    fail(handle(connection_), "binding a record");
  }
  const int stepped = sq::sqlite3_step(st);
  // Reset whatever the step gave, so the statement is done with its rows past this call. The
  // bound text is rebound before the next step, so it may dangle meanwhile.
  sq::sqlite3_reset(st);
  if (stepped != SQLITE_DONE) {
    sq::sqlite3_clear_bindings(st);
    fail(handle(connection_), "inserting");
  }
}

}  // namespace lmp::storage
