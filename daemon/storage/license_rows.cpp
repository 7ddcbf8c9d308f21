// Customer and license inserts shared by the stores. Every check of a unique value runs inside
// the caller's write transaction: SOCI 4.0.3 reports a UNIQUE violation with an "unknown"
// category, indistinguishable from other failures.
#include "storage/license_rows.hpp"

#include <soci/soci.h>

namespace lmp::storage {

std::optional<std::int64_t> find_customer_id(soci::session& sql, const std::string& name) {
  std::int64_t id = 0;
  sql << "SELECT id FROM customers WHERE name = :name", soci::into(id), soci::use(name);
  if (!sql.got_data()) return std::nullopt;
  return id;
}

std::int64_t insert_customer(soci::session& sql, const std::string& name, std::int64_t now_ms,
                             std::optional<std::int64_t> owner_id) {
  if (find_customer_id(sql, name)) throw DuplicateError("a customer with this name already exists");
  std::int64_t owner = owner_id.value_or(0);
  soci::indicator owner_ind = owner_id ? soci::i_ok : soci::i_null;
  // RETURNING works on SQLite (3.35+) and PostgreSQL alike, where SOCI's get_last_insert_id()
  // has no PostgreSQL implementation.
  std::int64_t id = 0;
  sql << "INSERT INTO customers (name, created_at_ms, owner_id, status) VALUES (:name,"
         " :created_at_ms, COALESCE(:owner, (SELECT id FROM accounts WHERE parent_id IS NULL)),"
         " 'enabled') RETURNING id",
      soci::use(name), soci::use(now_ms), soci::use(owner, owner_ind), soci::into(id);
  return id;
}

std::int64_t insert_license(soci::session& sql, const NewLicense& license) {
  int clashes = 0;
  sql << "SELECT COUNT(*) FROM licenses WHERE code_hash = :hash", soci::use(license.code_hash),
      soci::into(clashes);
  if (clashes > 0) throw DuplicateError("a license with this activation code already exists");
  const std::string unit(sdk::to_string(license.unit));
  const int trial = license.trial ? 1 : 0;
  const int auto_renew = license.auto_renew ? 1 : 0;
  std::int64_t plan_id = license.plan_id.value_or(0);
  soci::indicator plan_ind = license.plan_id ? soci::i_ok : soci::i_null;
  std::int64_t id = 0;
  sql << "INSERT INTO licenses (customer_id, product_code, units, unit, starts_at_ms,"
         " expires_at_ms, code_hash, created_at_ms, trial, grace_ms, notice_days, auto_renew,"
         " plan_id)"
         " VALUES (:customer_id, :product_code, :units, :unit, :starts_at_ms,"
         " :expires_at_ms, :code_hash, :created_at_ms, :trial, :grace_ms, :notice_days,"
         " :auto_renew, :plan_id) RETURNING id",
      soci::use(license.customer_id), soci::use(license.product_code), soci::use(license.units),
      soci::use(unit), soci::use(license.starts_at_ms), soci::use(license.expires_at_ms),
      soci::use(license.code_hash), soci::use(license.created_at_ms), soci::use(trial),
      soci::use(license.grace_ms), soci::use(license.notice_days), soci::use(auto_renew),
      soci::use(plan_id, plan_ind), soci::into(id);
  sql << "UPDATE counters SET value = value + 1 WHERE name = 'license_generation'";
  return id;
}

}  // namespace lmp::storage
