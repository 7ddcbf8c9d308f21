// The users and their token hashes in SQL.
#include <string>

#include "storage/sql_repositories.hpp"
#include "storage/sql_rows.hpp"

namespace lmp::storage {
namespace {

using domain::Token;
using domain::User;

struct UserColumns {
  using Row = User;
  static constexpr std::string_view kRead = "read users";
  static constexpr std::string_view kSelect =
      "SELECT id, account_id, customer_id, name, created_at_ms, login, password_set_at_ms"
      " FROM users";

  void bind(soci::statement& st, User& u) {
    bind_columns(st, u.id, account, customer, u.name, u.created_at_ms, login, password_set);
  }
  User finish(User u) const {
    u.account_id = account.get();
    u.customer_id = customer.get();
    if (login.ind == soci::i_ok) u.login = login.value;
    u.password_set_at_ms = password_set.get();
    return u;
  }

  NullableId account;
  NullableId customer;
  NullableText login;
  NullableId password_set;
};

struct TokenColumns {
  using Row = Token;
  static constexpr std::string_view kRead = "read tokens";
  static constexpr std::string_view kSelect =
      "SELECT id, user_id, created_at_ms, revoked_at_ms, expires_at_ms FROM tokens";

  void bind(soci::statement& st, Token& t) {
    bind_columns(st, t.id, t.user_id, t.created_at_ms, revoked, expires);
  }
  Token finish(Token t) const {
    t.revoked_at_ms = revoked.get();
    t.expires_at_ms = expires.get();
    return t;
  }

  NullableId revoked;
  NullableId expires;
};

class SqlUserRepository final : public domain::UserRepository {
 public:
  explicit SqlUserRepository(soci::session& sql) : sql_(sql) {}

  User create(const std::string& name, std::optional<std::int64_t> account_id,
              std::optional<std::int64_t> customer_id, std::int64_t now_ms) override {
    const std::int64_t id = guarded("create user", [&] {
      NullableId account(account_id);
      NullableId customer(customer_id);
      std::int64_t new_id = 0;
      sql_ << "INSERT INTO users (account_id, customer_id, name, created_at_ms)"
              " VALUES (:account, :customer, :name, :created) RETURNING id",
          soci::use(account.value, account.ind), soci::use(customer.value, customer.ind),
          soci::use(name), soci::use(now_ms), soci::into(new_id);
      return new_id;
    });
    return *find(id);
  }

  std::optional<User> find(std::int64_t id) override {
    return first(select_rows<UserColumns>(sql_, " WHERE id = :id", id));
  }

  std::vector<User> list(std::optional<std::int64_t> account_id,
                         std::optional<std::int64_t> customer_id, domain::Page page) override {
    const std::int64_t owner = account_id ? *account_id : customer_id.value_or(0);
    const std::string where =
        account_id ? " WHERE account_id = :owner" : " WHERE customer_id = :owner";
    return select_rows<UserColumns>(sql_, where + " AND id > :after ORDER BY id LIMIT :limit",
                                    owner, page.after, page.limit);
  }

  Token create_token(std::int64_t user_id, const std::string& token_hash, std::int64_t now_ms,
                     std::optional<std::int64_t> expires_at_ms) override {
    if (find_token_by_hash(token_hash))
      throw domain::DuplicateError("a token with this hash already exists");
    const std::int64_t id = guarded("create token", [&] {
      NullableId expires(expires_at_ms);
      std::int64_t new_id = 0;
      sql_ << "INSERT INTO tokens (user_id, token_hash, created_at_ms, expires_at_ms)"
              " VALUES (:user, :hash, :created, :expires) RETURNING id",
          soci::use(user_id), soci::use(token_hash), soci::use(now_ms),
          soci::use(expires.value, expires.ind), soci::into(new_id);
      return new_id;
    });
    return *find_token(id);
  }

  std::optional<Token> find_token_by_hash(const std::string& token_hash) override {
    return first(select_rows<TokenColumns>(sql_, " WHERE token_hash = :hash", token_hash));
  }

  std::optional<Token> find_token(std::int64_t id) override {
    return first(select_rows<TokenColumns>(sql_, " WHERE id = :id", id));
  }

  void revoke_token(std::int64_t id, std::int64_t now_ms) override {
    guarded("revoke token", [&] {
      sql_ << "UPDATE tokens SET revoked_at_ms = :at WHERE id = :id AND revoked_at_ms IS NULL",
          soci::use(now_ms), soci::use(id);
    });
  }

  std::vector<Token> list_tokens(std::int64_t user_id, domain::Page page) override {
    return select_rows<TokenColumns>(
        sql_, " WHERE user_id = :user AND id > :after ORDER BY id LIMIT :limit", user_id,
        page.after, page.limit);
  }

  void rename(std::int64_t id, const std::string& name) override {
    guarded("rename user", [&] {
      sql_ << "UPDATE users SET name = :name WHERE id = :id", soci::use(name), soci::use(id);
    });
  }

  std::optional<User> find_by_login(const std::string& login) override {
    return first(select_rows<UserColumns>(sql_, " WHERE login = :login", login));
  }

  std::optional<std::string> password_hash(std::int64_t id) override {
    return guarded("read password hash", [&]() -> std::optional<std::string> {
      std::string hash;
      soci::indicator ind = soci::i_null;
      sql_ << "SELECT password_hash FROM users WHERE id = :id", soci::use(id),
          soci::into(hash, ind);
      if (!sql_.got_data() || ind != soci::i_ok) return std::nullopt;
      return hash;
    });
  }

  void set_password(std::int64_t id, const std::string& login, const std::string& hash,
                    std::int64_t now_ms) override {
    if (auto holder = find_by_login(login); holder && holder->id != id)
      throw domain::DuplicateError("another user has the login " + login);
    guarded("set password", [&] {
      sql_ << "UPDATE users SET login = :login, password_hash = :hash, password_set_at_ms = :at"
              " WHERE id = :id",
          soci::use(login), soci::use(hash), soci::use(now_ms), soci::use(id);
    });
  }

  void remove(std::int64_t id) override {
    guarded("delete user", [&] {
      sql_ << "DELETE FROM console_sessions WHERE user_id = :id", soci::use(id);
      sql_ << "DELETE FROM tokens WHERE user_id = :id", soci::use(id);
      sql_ << "DELETE FROM users WHERE id = :id", soci::use(id);
    });
  }

 private:
  soci::session& sql_;
};

}  // namespace

std::unique_ptr<domain::UserRepository> sql_user_repository(soci::session& sql) {
  return std::make_unique<SqlUserRepository>(sql);
}

}  // namespace lmp::storage
