// The accounts' branding in SQL.
#include <string>

#include "storage/sql_repositories.hpp"
#include "storage/sql_rows.hpp"

namespace lmp::storage {
namespace {

using domain::Branding;

struct BrandingColumns {
  using Row = Branding;
  static constexpr std::string_view kRead = "read branding";
  static constexpr std::string_view kSelect =
      "SELECT account_id, display_name, support_email, support_url, logo_url, primary_color,"
      " updated_at_ms FROM branding";

  void bind(soci::statement& st, Branding& b) {
    bind_columns(st, b.account_id, b.display_name, b.support_email, b.support_url, b.logo_url,
                 b.primary_color, b.updated_at_ms);
  }
  Branding finish(Branding b) const { return b; }
};

class SqlBrandingRepository final : public domain::BrandingRepository {
 public:
  explicit SqlBrandingRepository(soci::session& sql) : sql_(sql) {}

  std::optional<Branding> find(std::int64_t account_id) override {
    return first(select_rows<BrandingColumns>(sql_, " WHERE account_id = :id", account_id));
  }

  void set(const Branding& b) override {
    guarded("write branding", [&] {
      sql_ << "DELETE FROM branding WHERE account_id = :id", soci::use(b.account_id);
      sql_ << "INSERT INTO branding (account_id, display_name, support_email, support_url,"
              " logo_url, primary_color, updated_at_ms) VALUES (:id, :name, :email, :url,"
              " :logo, :color, :updated)",
          soci::use(b.account_id), soci::use(b.display_name), soci::use(b.support_email),
          soci::use(b.support_url), soci::use(b.logo_url), soci::use(b.primary_color),
          soci::use(b.updated_at_ms);
    });
  }

 private:
  soci::session& sql_;
};

}  // namespace

std::unique_ptr<domain::BrandingRepository> sql_branding_repository(soci::session& sql) {
  return std::make_unique<SqlBrandingRepository>(sql);
}

}  // namespace lmp::storage
