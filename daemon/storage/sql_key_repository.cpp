// The registration keys in SQL: only their hashes and hints.
#include <string>

#include "storage/sql_repositories.hpp"
#include "storage/sql_rows.hpp"
#include "storage/stored_secrets.hpp"

namespace lmp::storage {
namespace {

using domain::KeyStatus;
using domain::RegistrationKey;

struct KeyColumns {
  using Row = RegistrationKey;
  static constexpr std::string_view kRead = "read registration keys";
  static constexpr std::string_view kSelect =
      "SELECT k.id, k.key_hash, k.hint, k.plan_id, k.product_code, k.units, k.issuer_id, a.path,"
      " k.issued_by_user, k.status, k.customer_id, k.license_id, k.created_at_ms,"
      " k.changed_at_ms FROM registration_keys k JOIN accounts a ON a.id = k.issuer_id";

  void bind(soci::statement& st, RegistrationKey& k) {
    bind_columns(st, k.id, k.key_hash, k.hint, k.plan_id, k.product_code, k.units, k.issuer_id,
                 k.issuer_path, k.issued_by_user, status, customer, license, k.created_at_ms,
                 changed);
  }
  RegistrationKey finish(RegistrationKey k) const {
    k.status = enum_column<KeyStatus>(status, "key status");
    k.customer_id = customer.get();
    k.license_id = license.get();
    k.changed_at_ms = changed.get();
    return k;
  }

  std::string status;
  NullableId customer;
  NullableId license;
  NullableId changed;
};

class SqlKeyRepository final : public domain::KeyRepository {
 public:
  SqlKeyRepository(soci::session& sql, StoredSecrets& secrets) : sql_(sql), secrets_(secrets) {}

  std::int64_t create(const RegistrationKey& k) override {
    return guarded("create registration key", [&] {
      const std::string key_hash = secrets_.key_hash(k.key_hash);
      std::int64_t clash = 0;
      sql_ << "SELECT COUNT(*) FROM registration_keys WHERE key_hash = :hash", soci::use(key_hash),
          soci::into(clash);
      if (clash > 0)
        throw domain::DuplicateError("a registration key with this hash already exists");
      const std::string status(to_string(k.status));
      std::int64_t id = 0;
      sql_ << "INSERT INTO registration_keys (key_hash, hint, plan_id, product_code, units,"
              " issuer_id, issued_by_user, status, created_at_ms) VALUES (:hash, :hint, :plan,"
              " :product, :units, :issuer, :user, :status, :created) RETURNING id",
          soci::use(key_hash), soci::use(k.hint), soci::use(k.plan_id), soci::use(k.product_code),
          soci::use(k.units), soci::use(k.issuer_id), soci::use(k.issued_by_user),
          soci::use(status), soci::use(k.created_at_ms), soci::into(id);
      return id;
    });
  }

  std::optional<RegistrationKey> find(std::int64_t id) override {
    return first(select_rows<KeyColumns>(sql_, " WHERE k.id = :id", id));
  }

  std::optional<RegistrationKey> find_by_hash(const std::string& key_hash) override {
    return first(
        select_rows<KeyColumns>(sql_, " WHERE k.key_hash = :hash", secrets_.key_hash(key_hash)));
  }

  std::vector<RegistrationKey> list_under(const std::string& path, domain::Page page) override {
    const std::string pattern = prefix_pattern(path);
    return select_rows<KeyColumns>(
        sql_, " WHERE a.path LIKE :pattern AND k.id > :after ORDER BY k.id LIMIT :limit", pattern,
        page.after, page.limit);
  }

  std::vector<RegistrationKey> issued_of_product(const std::string& product) override {
    return select_rows<KeyColumns>(
        sql_, " WHERE k.product_code = :product AND k.status = 'issued' ORDER BY k.id", product);
  }

  bool leave_issued(std::int64_t id, KeyStatus status, std::int64_t now_ms) override {
    return guarded("change registration key", [&] {
      const std::string text(to_string(status));
      return affected(sql_,
                      "UPDATE registration_keys SET status = :status, changed_at_ms = :at"
                      " WHERE id = :id AND status = 'issued'",
                      text, now_ms, id) == 1;
    });
  }

  void set_redemption(std::int64_t id, std::int64_t customer_id, std::int64_t license_id) override {
    guarded("record redemption", [&] {
      sql_ << "UPDATE registration_keys SET customer_id = :customer, license_id = :license"
              " WHERE id = :id",
          soci::use(customer_id), soci::use(license_id), soci::use(id);
    });
  }

 private:
  soci::session& sql_;
  StoredSecrets& secrets_;
};

}  // namespace

std::unique_ptr<domain::KeyRepository> sql_key_repository(soci::session& sql,
                                                          StoredSecrets& secrets) {
  return std::make_unique<SqlKeyRepository>(sql, secrets);
}

}  // namespace lmp::storage
