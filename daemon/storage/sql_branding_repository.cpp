// The accounts' branding in SQL.
#include <string>

#include "core/base64url.hpp"
#include "storage/sql_repositories.hpp"
#include "storage/sql_rows.hpp"

namespace lmp::storage {
namespace {

using domain::Branding;
using domain::BrandingLogo;

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

  // The bytes are kept as base64url text: one column type on SQLite and PostgreSQL alike.
  std::optional<BrandingLogo> find_logo(std::int64_t account_id) override {
    return guarded("read logo", [&]() -> std::optional<BrandingLogo> {
      BrandingLogo logo;
      std::string text;
      sql_ << "SELECT account_id, content_type, data_base64, sha256, updated_at_ms"
              " FROM branding_logos WHERE account_id = :id",
          soci::use(account_id), soci::into(logo.account_id), soci::into(logo.content_type),
          soci::into(text), soci::into(logo.sha256), soci::into(logo.updated_at_ms);
      if (!sql_.got_data()) return std::nullopt;
      auto bytes = base64url_decode(text);
      if (!bytes) throw domain::StoreError("a stored logo is not base64url");
      logo.bytes = std::move(*bytes);
      return logo;
    });
  }

  void set_logo(const BrandingLogo& logo) override {
    guarded("write logo", [&] {
      const std::string text = base64url_encode(logo.bytes);
      sql_ << "DELETE FROM branding_logos WHERE account_id = :id", soci::use(logo.account_id);
      sql_ << "INSERT INTO branding_logos (account_id, content_type, data_base64, sha256,"
              " updated_at_ms) VALUES (:id, :type, :data, :sha, :updated)",
          soci::use(logo.account_id), soci::use(logo.content_type), soci::use(text),
          soci::use(logo.sha256), soci::use(logo.updated_at_ms);
    });
  }

  void remove_logo(std::int64_t account_id) override {
    guarded("delete logo", [&] {
      sql_ << "DELETE FROM branding_logos WHERE account_id = :id", soci::use(account_id);
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
