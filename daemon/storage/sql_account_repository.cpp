// The accounts and partner permissions in SQL: materialized paths, so "the subtree" is one prefix
// match and "the way up" one reversed one.
#include <set>
#include <string>

#include "storage/sql_repositories.hpp"
#include "storage/sql_rows.hpp"

namespace lmp::storage {
namespace {

using domain::Account;
using domain::AccountKind;
using domain::AccountStatus;

struct AccountColumns {
  using Row = Account;
  static constexpr std::string_view kRead = "read accounts";
  static constexpr std::string_view kSelect =
      "SELECT id, kind, name, parent_id, path, status, status_changed_at_ms, created_at_ms"
      " FROM accounts";

  void bind(soci::statement& st, Account& a) {
    bind_columns(st, a.id, kind, a.name, parent, a.path, status, a.status_changed_at_ms,
                 a.created_at_ms);
  }
  Account finish(Account a) const {
    a.parent_id = parent.get();
    a.kind = enum_column<AccountKind>(kind, "account kind");
    a.status = enum_column<AccountStatus>(status, "account status");
    return a;
  }

  NullableId parent;
  std::string kind;
  std::string status;
};

class SqlAccountRepository final : public domain::AccountRepository {
 public:
  explicit SqlAccountRepository(soci::session& sql) : sql_(sql) {}

  std::optional<Account> root() override {
    return first(select_rows<AccountColumns>(sql_, " WHERE parent_id IS NULL"));
  }

  std::optional<Account> find(std::int64_t id) override {
    return first(select_rows<AccountColumns>(sql_, " WHERE id = :id", id));
  }

  std::vector<Account> on_path(const std::string& path) override {
    return select_rows<AccountColumns>(sql_, " WHERE :path LIKE path || '%' ORDER BY id", path);
  }

  Account create(AccountKind kind, const std::string& name, const Account* parent,
                 std::int64_t now_ms) override {
    const std::int64_t id = guarded("create account", [&] {
      int taken = 0;
      sql_ << "SELECT COUNT(*) FROM accounts WHERE name = :name", soci::use(name),
          soci::into(taken);
      if (taken > 0) throw domain::DuplicateError("an account with this name already exists");
      const std::string kind_text(to_string(kind));
      const std::string status(to_string(AccountStatus::active));
      NullableId parent_id(parent ? std::optional<std::int64_t>(parent->id) : std::nullopt);
      const std::string pending = "/";
      std::int64_t new_id = 0;
      // RETURNING works on SQLite (3.35+) and PostgreSQL alike.
      sql_ << "INSERT INTO accounts (kind, name, parent_id, path, status, status_changed_at_ms,"
              " created_at_ms) VALUES (:kind, :name, :parent_id, :path, :status, :changed,"
              " :created) RETURNING id",
          soci::use(kind_text), soci::use(name), soci::use(parent_id.value, parent_id.ind),
          soci::use(pending), soci::use(status), soci::use(now_ms), soci::use(now_ms),
          soci::into(new_id);
      const std::string path =
          (parent == nullptr ? "/" : parent->path) + std::to_string(new_id) + "/";
      sql_ << "UPDATE accounts SET path = :path WHERE id = :id", soci::use(path), soci::use(new_id);
      return new_id;
    });
    return *find(id);
  }

  std::vector<Account> list_below(const std::string& path, domain::Page page) override {
    const std::string pattern = prefix_pattern(path);
    return select_rows<AccountColumns>(
        sql_,
        " WHERE path LIKE :pattern AND path <> :path AND id > :after ORDER BY id LIMIT :limit",
        pattern, path, page.after, page.limit);
  }

  void set_status(std::int64_t id, AccountStatus status, std::int64_t now_ms) override {
    guarded("set account status", [&] {
      const std::string text(to_string(status));
      sql_ << "UPDATE accounts SET status = :status, status_changed_at_ms = :at WHERE id = :id",
          soci::use(text), soci::use(now_ms), soci::use(id);
    });
  }

  std::set<std::string> permissions(std::int64_t account_id) override {
    return guarded("read permissions", [&] {
      std::set<std::string> names;
      std::string name;
      soci::statement st = (sql_.prepare << "SELECT permission FROM partner_permissions"
                                            " WHERE account_id = :id",
                            soci::into(name), soci::use(account_id));
      st.execute();
      while (st.fetch()) names.insert(name);
      return names;
    });
  }

  void set_permissions(std::int64_t account_id, const std::set<std::string>& names) override {
    guarded("set permissions", [&] {
      sql_ << "DELETE FROM partner_permissions WHERE account_id = :id", soci::use(account_id);
      for (const auto& name : names)
        sql_ << "INSERT INTO partner_permissions (account_id, permission) VALUES (:id, :name)",
            soci::use(account_id), soci::use(name);
    });
  }

 private:
  soci::session& sql_;
};

}  // namespace

std::unique_ptr<domain::AccountRepository> sql_account_repository(soci::session& sql) {
  return std::make_unique<SqlAccountRepository>(sql);
}

}  // namespace lmp::storage
