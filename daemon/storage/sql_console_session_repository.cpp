// The web console's login sessions in SQL.
#include <string>

#include "storage/sql_repositories.hpp"
#include "storage/sql_rows.hpp"

namespace lmp::storage {
namespace {

using domain::ConsoleSession;

struct ConsoleSessionColumns {
  using Row = ConsoleSession;
  static constexpr std::string_view kRead = "read console sessions";
  static constexpr std::string_view kSelect =
      "SELECT id_hash, user_id, token_id, created_at_ms, expires_at_ms FROM console_sessions";

  void bind(soci::statement& st, ConsoleSession& s) {
    bind_columns(st, s.id_hash, s.user_id, token, s.created_at_ms, s.expires_at_ms);
  }
  ConsoleSession finish(ConsoleSession s) const {
    s.token_id = token.get();
    return s;
  }

  NullableId token;
};

class SqlConsoleSessionRepository final : public domain::ConsoleSessionRepository {
 public:
  explicit SqlConsoleSessionRepository(soci::session& sql) : sql_(sql) {}

  void create(const ConsoleSession& s) override {
    if (find(s.id_hash)) throw domain::DuplicateError("a session with this id already exists");
    guarded("create console session", [&] {
      NullableId token(s.token_id);
      sql_ << "INSERT INTO console_sessions (id_hash, user_id, token_id, created_at_ms,"
              " expires_at_ms) VALUES (:hash, :user, :token, :created, :expires)",
          soci::use(s.id_hash), soci::use(s.user_id), soci::use(token.value, token.ind),
          soci::use(s.created_at_ms), soci::use(s.expires_at_ms);
    });
  }

  std::optional<ConsoleSession> find(const std::string& id_hash) override {
    return first(select_rows<ConsoleSessionColumns>(sql_, " WHERE id_hash = :hash", id_hash));
  }

  void remove(const std::string& id_hash) override {
    guarded("delete console session", [&] {
      sql_ << "DELETE FROM console_sessions WHERE id_hash = :hash", soci::use(id_hash);
    });
  }

  void remove_expired(std::int64_t now_ms) override {
    guarded("delete expired console sessions", [&] {
      sql_ << "DELETE FROM console_sessions WHERE expires_at_ms <= :now", soci::use(now_ms);
    });
  }

  void remove_password_sessions(std::int64_t user_id) override {
    guarded("delete password sessions", [&] {
      sql_ << "DELETE FROM console_sessions WHERE user_id = :user AND token_id IS NULL",
          soci::use(user_id);
    });
  }

 private:
  soci::session& sql_;
};

}  // namespace

std::unique_ptr<domain::ConsoleSessionRepository> sql_console_session_repository(
    soci::session& sql) {
  return std::make_unique<SqlConsoleSessionRepository>(sql);
}

}  // namespace lmp::storage
