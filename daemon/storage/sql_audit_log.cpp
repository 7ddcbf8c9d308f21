// The audit log in SQL: INSERT and SELECT only. Triggers make the database itself refuse any
// UPDATE or DELETE of a record (storage/schema_migrations.cpp).
#include <cstdint>
#include <string>

#include "storage/sql_repositories.hpp"
#include "storage/sql_rows.hpp"

namespace lmp::storage {
namespace {

using domain::AuditRecord;

struct AuditColumns {
  using Row = AuditRecord;
  static constexpr std::string_view kRead = "query audit log";
  static constexpr std::string_view kSelect =
      "SELECT id, at_ms, actor_user_id, actor_token_id, actor_scope, scope, action, object,"
      " before_json, after_json FROM audit_log";

  void bind(soci::statement& st, AuditRecord& r) {
    bind_columns(st, r.id, r.at_ms, user, token, r.actor_scope, r.scope, r.action, r.object, before,
                 after);
  }
  AuditRecord finish(AuditRecord r) const {
    r.actor_user_id = user.get();
    r.actor_token_id = token.get();
    r.before_json = before.get();
    r.after_json = after.get();
    return r;
  }

  NullableId user;
  NullableId token;
  NullableText before;
  NullableText after;
};

class SqlAuditLog final : public domain::AuditLog {
 public:
  explicit SqlAuditLog(soci::session& sql) : sql_(sql) {}

  void append(const AuditRecord& r) override {
    guarded("append audit record", [&] {
      NullableId user(r.actor_user_id);
      NullableId token(r.actor_token_id);
      soci::indicator before_ind = r.before_json.empty() ? soci::i_null : soci::i_ok;
      soci::indicator after_ind = r.after_json.empty() ? soci::i_null : soci::i_ok;
      sql_ << "INSERT INTO audit_log (at_ms, actor_user_id, actor_token_id, actor_scope, scope,"
              " action, object, before_json, after_json) VALUES (:at, :user, :token,"
              " :actor_scope, :scope, :action, :object, :before, :after)",
          soci::use(r.at_ms), soci::use(user.value, user.ind), soci::use(token.value, token.ind),
          soci::use(r.actor_scope), soci::use(r.scope), soci::use(r.action), soci::use(r.object),
          soci::use(r.before_json, before_ind), soci::use(r.after_json, after_ind);
    });
  }

  std::vector<AuditRecord> query(const domain::AuditFilter& filter, domain::Page page) override {
    // Every filter is always bound; an absent one is written so that it matches every row.
    const std::string pattern = prefix_pattern(filter.scope_prefix);
    const int any_action = filter.action.empty() ? 1 : 0;
    const int any_object = filter.object.empty() ? 1 : 0;
    const int any_actor = filter.actor_user_id ? 0 : 1;
    const std::int64_t actor = filter.actor_user_id.value_or(0);
    const std::int64_t from = filter.from_ms.value_or(INT64_MIN);
    const std::int64_t to = filter.to_ms.value_or(INT64_MAX);
    return select_rows<AuditColumns>(
        sql_,
        " WHERE scope LIKE :pattern AND (:any_action = 1 OR action = :action) AND (:any_object ="
        " 1 OR object = :object) AND (:any_actor = 1 OR actor_user_id = :actor) AND at_ms >= :from"
        " AND at_ms < :to AND id > :after ORDER BY id LIMIT :limit",
        pattern, any_action, filter.action, any_object, filter.object, any_actor, actor, from, to,
        page.after, page.limit);
  }

 private:
  soci::session& sql_;
};

}  // namespace

std::unique_ptr<domain::AuditLog> sql_audit_log(soci::session& sql) {
  return std::make_unique<SqlAuditLog>(sql);
}

}  // namespace lmp::storage
