// Customer and license rows shared by the stores. Every check of a unique value runs inside the
// caller's write transaction: SOCI 4.0.3 reports a UNIQUE violation with an "unknown" category,
// indistinguishable from other failures.
#include "storage/license_rows.hpp"

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

std::int64_t insert_license(soci::session& sql, const NewLicense& license, StoredSecrets& secrets) {
  const std::string code_hash = secrets.code_hash(license.code_hash);
  int clashes = 0;
  sql << "SELECT COUNT(*) FROM licenses WHERE code_hash = :hash", soci::use(code_hash),
      soci::into(clashes);
  if (clashes > 0) throw DuplicateError("a license with this activation code already exists");
  const std::string unit(domain::to_string(license.unit));
  const int trial = license.trial ? 1 : 0;
  const int auto_renew = license.auto_renew ? 1 : 0;
  std::int64_t plan_id = license.plan_id.value_or(0);
  soci::indicator plan_ind = license.plan_id ? soci::i_ok : soci::i_null;
  std::int64_t id = 0;
  sql << "INSERT INTO licenses (customer_id, product_code, units, unit, starts_at_ms,"
         " expires_at_ms, code_hash, created_at_ms, trial, grace_ms, notice_days, auto_renew,"
         " plan_id, period_days)"
         " VALUES (:customer_id, :product_code, :units, :unit, :starts_at_ms,"
         " :expires_at_ms, :code_hash, :created_at_ms, :trial, :grace_ms, :notice_days,"
         " :auto_renew, :plan_id, :period_days) RETURNING id",
      soci::use(license.customer_id), soci::use(license.product_code), soci::use(license.units),
      soci::use(unit), soci::use(license.starts_at_ms), soci::use(license.expires_at_ms),
      soci::use(code_hash), soci::use(license.created_at_ms), soci::use(trial),
      soci::use(license.grace_ms), soci::use(license.notice_days), soci::use(auto_renew),
      soci::use(plan_id, plan_ind), soci::use(license.period_days), soci::into(id);
  sql << "UPDATE counters SET value = value + 1 WHERE name = 'license_generation'";
  return id;
}

std::vector<StoredLifecycle> read_product_lifecycles(soci::session& sql) {
  std::vector<StoredLifecycle> out;
  StoredLifecycle row;
  std::int64_t sale = 0, life = 0, deleted = 0;
  soci::indicator sale_ind = soci::i_null, life_ind = soci::i_null, deleted_ind = soci::i_null;
  soci::statement st = (sql.prepare << "SELECT product_code, end_of_sale_ms, end_of_life_ms,"
                                       " data_deleted_at_ms FROM product_lifecycle"
                                       " ORDER BY product_code",
                        soci::into(row.product_code), soci::into(sale, sale_ind),
                        soci::into(life, life_ind), soci::into(deleted, deleted_ind));
  st.execute();
  auto value = [](std::int64_t v, soci::indicator ind) {
    return ind == soci::i_ok ? std::optional<std::int64_t>(v) : std::nullopt;
  };
  while (st.fetch()) {
    row.end_of_sale_ms = value(sale, sale_ind);
    row.end_of_life_ms = value(life, life_ind);
    row.data_deleted_at_ms = value(deleted, deleted_ind);
    out.push_back(row);
  }
  return out;
}

void LicenseColumns::bind(soci::statement& st, domain::License& row) {
  bind_columns(st, row.id, row.customer_id, row.customer_name, row.scope, row.product_code,
               row.units, unit, row.starts_at_ms, row.expires_at_ms, cut_off, trial, row.grace_ms,
               row.notice_days, auto_renew, plan, row.period_days, row.created_at_ms,
               row.clock_mark_ms);
}

domain::License LicenseColumns::finish(const domain::License& row) const {
  domain::License license = row;
  // The column holds the owner's path; the license's scope is its customer's.
  license.scope += "c" + std::to_string(license.customer_id) + "/";
  license.unit = enum_column<domain::UnitType>(unit, "license unit");
  license.cut_off_at_ms = cut_off.get();
  license.plan_id = plan.get();
  license.trial = trial != 0;
  license.auto_renew = auto_renew != 0;
  return license;
}

LicenseRecord seat_view(const domain::License& license) {
  LicenseRecord record;
  record.id = license.id;
  record.customer_id = license.customer_id;
  record.customer_name = license.customer_name;
  record.product_code = license.product_code;
  record.units = license.units;
  record.unit = license.unit;
  record.starts_at_ms = license.effective_starts_ms();
  record.expires_at_ms = license.effective_expires_ms();
  record.created_at_ms = license.created_at_ms;
  record.trial = license.trial;
  record.grace_ms = license.grace_ms;
  record.notice_days = license.notice_days;
  record.cut_off_at_ms = license.cut_off_at_ms;
  record.clock_mark_ms = license.clock_mark_ms;
  record.scope = license.scope;
  return record;
}

}  // namespace lmp::storage
