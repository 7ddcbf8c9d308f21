// Entitlements in SQL: the site id (one row), the imported entitlements by vendor license, the
// exported serials by license.
#include <string>

#include "domain/entitlement_repository.hpp"
#include "storage/sql_repositories.hpp"
#include "storage/sql_rows.hpp"

namespace lmp::storage {
namespace {

using domain::ExportedSerial;
using domain::ImportedEntitlement;

struct ImportedColumns {
  using Row = ImportedEntitlement;
  static constexpr std::string_view kRead = "read imported entitlements";
  static constexpr std::string_view kSelect =
      "SELECT vendor_license, license_id, serial, kid, terms, imported_at_ms"
      " FROM imported_entitlements";
  void bind(soci::statement& st, ImportedEntitlement& e) {
    bind_columns(st, e.vendor_license, e.license_id, e.serial, e.kid, e.terms_json,
                 e.imported_at_ms);
  }
  ImportedEntitlement finish(ImportedEntitlement e) const { return e; }
};

struct ExportedColumns {
  using Row = ExportedSerial;
  static constexpr std::string_view kRead = "read exported serials";
  static constexpr std::string_view kSelect =
      "SELECT license_id, serial, terms FROM exported_serials";
  void bind(soci::statement& st, ExportedSerial& e) {
    bind_columns(st, e.license_id, e.serial, e.terms_json);
  }
  ExportedSerial finish(ExportedSerial e) const { return e; }
};

class SqlEntitlementRepository final : public domain::EntitlementRepository {
 public:
  explicit SqlEntitlementRepository(soci::session& sql) : sql_(sql) {}

  std::optional<std::string> site_id() override {
    return guarded("read the site id", [&]() -> std::optional<std::string> {
      std::string id;
      soci::indicator ind = soci::i_null;
      sql_ << "SELECT site_id FROM site_identity WHERE id = 1", soci::into(id, ind);
      if (!sql_.got_data() || ind != soci::i_ok) return std::nullopt;
      return id;
    });
  }

  void insert_site_id(const std::string& site_id, std::int64_t now_ms) override {
    guarded("store the site id", [&] {
      // Two instances on one PostgreSQL may both make one at their first start: the first
      // insert stays, the other changes nothing.
      sql_ << "INSERT INTO site_identity (id, site_id, created_at_ms) VALUES (1, :id, :now)"
              " ON CONFLICT (id) DO NOTHING",
          soci::use(site_id), soci::use(now_ms);
    });
  }

  std::int64_t server_clock_mark() override {
    return guarded("read the server's clock mark", [&] {
      std::int64_t mark = 0;
      sql_ << "SELECT value FROM counters WHERE name = 'server_clock_mark'", soci::into(mark);
      return mark;
    });
  }

  std::optional<ImportedEntitlement> imported(std::int64_t vendor_license) override {
    return first(select_rows<ImportedColumns>(sql_, " WHERE vendor_license = :v", vendor_license));
  }

  void save_imported(const ImportedEntitlement& e) override {
    guarded("store an imported entitlement", [&] {
      sql_ << "DELETE FROM imported_entitlements WHERE vendor_license = :v",
          soci::use(e.vendor_license);
      sql_ << "INSERT INTO imported_entitlements (vendor_license, license_id, serial, kid, terms,"
              " imported_at_ms) VALUES (:v, :l, :s, :k, :t, :at)",
          soci::use(e.vendor_license), soci::use(e.license_id), soci::use(e.serial),
          soci::use(e.kid), soci::use(e.terms_json), soci::use(e.imported_at_ms);
    });
  }

  std::optional<ExportedSerial> exported(std::int64_t license_id) override {
    return first(select_rows<ExportedColumns>(sql_, " WHERE license_id = :l", license_id));
  }

  void save_exported(const ExportedSerial& e) override {
    guarded("store an exported serial", [&] {
      sql_ << "DELETE FROM exported_serials WHERE license_id = :l", soci::use(e.license_id);
      sql_ << "INSERT INTO exported_serials (license_id, serial, terms) VALUES (:l, :s, :t)",
          soci::use(e.license_id), soci::use(e.serial), soci::use(e.terms_json);
    });
  }

 private:
  soci::session& sql_;
};

}  // namespace

std::unique_ptr<domain::EntitlementRepository> sql_entitlement_repository(soci::session& sql) {
  return std::make_unique<SqlEntitlementRepository>(sql);
}

}  // namespace lmp::storage
