// The licenses in SQL, through the one license row mapping (storage/license_rows.hpp). Every
// change moves the license generation in the same transaction.
#include <string>

#include "storage/license_rows.hpp"
#include "storage/sql_repositories.hpp"
#include "storage/sql_rows.hpp"

namespace lmp::storage {
namespace {

using domain::License;

class SqlLicenseRepository final : public domain::LicenseRepository {
 public:
  SqlLicenseRepository(soci::session& sql, StoredSecrets& secrets) : sql_(sql), secrets_(secrets) {}

  std::int64_t create(const domain::NewLicense& license) override {
    return guarded("create license", [&] { return insert_license(sql_, license, secrets_); });
  }

  std::optional<License> find(std::int64_t id) override {
    return first(select_rows<LicenseColumns>(sql_, " WHERE l.id = :id", id));
  }

  std::vector<License> list(const domain::LicenseFilter& filter, domain::Page page) override {
    const std::string pattern = prefix_pattern(filter.scope_prefix);
    const int any_customer = filter.customer_id ? 0 : 1;
    const std::int64_t customer = filter.customer_id.value_or(0);
    const int any_product = filter.product.empty() ? 1 : 0;
    return select_rows<LicenseColumns>(
        sql_,
        " WHERE COALESCE(a.path, '/') LIKE :pattern AND (:any_customer = 1 OR l.customer_id ="
        " :customer) AND (:any_product = 1 OR l.product_code = :product) AND l.id > :after"
        " ORDER BY l.id LIMIT :limit",
        pattern, any_customer, customer, any_product, filter.product, page.after, page.limit);
  }

  std::vector<License> with_event_dates_in(std::int64_t after_ms, std::int64_t until_ms,
                                           std::int64_t day_ms) override {
    // Three ranges of one scan: the start of the notice window, the expiry, the end of grace.
    return select_rows<LicenseColumns>(
        sql_,
        " WHERE l.cut_off_at_ms IS NULL AND ((l.notice_days > 0 AND l.expires_at_ms -"
        " l.notice_days * :day > :after1 AND l.expires_at_ms - l.notice_days * :day2 <= :until1)"
        " OR (l.expires_at_ms > :after2 AND l.expires_at_ms <= :until2) OR (l.expires_at_ms +"
        " l.grace_ms > :after3 AND l.expires_at_ms + l.grace_ms <= :until3)) ORDER BY l.id",
        day_ms, after_ms, day_ms, until_ms, after_ms, until_ms, after_ms, until_ms);
  }

  std::vector<License> auto_renewing_in_grace(std::int64_t now_ms) override {
    return select_rows<LicenseColumns>(
        sql_,
        " WHERE l.auto_renew = 1 AND l.cut_off_at_ms IS NULL AND l.expires_at_ms <= :now1"
        " AND l.expires_at_ms + l.grace_ms > :now2 ORDER BY l.id",
        now_ms, now_ms);
  }

  void update(const License& l) override {
    const int trial = l.trial ? 1 : 0;
    const int auto_renew = l.auto_renew ? 1 : 0;
    change("update license",
           "UPDATE licenses SET units = :units, starts_at_ms = :starts, expires_at_ms ="
           " :expires, trial = :trial, grace_ms = :grace, notice_days = :notice,"
           " auto_renew = :auto_renew WHERE id = :id",
           l.units, l.starts_at_ms, l.expires_at_ms, trial, l.grace_ms, l.notice_days, auto_renew,
           l.id);
  }

  bool move_expiry(std::int64_t id, std::int64_t from_ms, std::int64_t to_ms) override {
    return change(
               "renew license",
               "UPDATE licenses SET expires_at_ms = :to WHERE id = :id AND expires_at_ms = :from",
               to_ms, id, from_ms) > 0;
  }

  std::int64_t units_in_use(std::int64_t license_id, std::int64_t now_ms) override {
    return guarded("count units in use", [&] {
      std::int64_t used = 0;
      sql_ << "SELECT COALESCE(SUM(units), 0) FROM leases WHERE license_id = :id"
              " AND expires_at_ms > :now",
          soci::use(license_id), soci::use(now_ms), soci::into(used);
      return used;
    });
  }

  std::map<std::int64_t, std::int64_t> units_in_use_of(const std::vector<std::int64_t>& license_ids,
                                                       std::int64_t now_ms) override {
    std::map<std::int64_t, std::int64_t> used;
    if (license_ids.empty()) return used;
    // Ids are integers, so they go into the text as they are: one statement however many.
    std::string ids;
    for (std::int64_t id : license_ids) ids += (ids.empty() ? "" : ",") + std::to_string(id);
    return guarded("count units in use", [&] {
      std::int64_t license = 0, units = 0;
      soci::statement st = (sql_.prepare << "SELECT license_id, SUM(units) FROM leases"
                                            " WHERE expires_at_ms > :now AND license_id IN (" +
                                                ids + ") GROUP BY license_id",
                            soci::use(now_ms), soci::into(license), soci::into(units));
      st.execute();
      while (st.fetch()) used[license] = units;
      return used;
    });
  }

  std::int64_t count_of_customer(std::int64_t customer_id) override {
    return guarded("count licenses", [&] {
      std::int64_t count = 0;
      sql_ << "SELECT COUNT(*) FROM licenses WHERE customer_id = :id", soci::use(customer_id),
          soci::into(count);
      return count;
    });
  }

  std::int64_t cut_off_customer(std::int64_t customer_id, std::int64_t at_ms) override {
    return change("cut off licenses",
                  "UPDATE licenses SET cut_off_at_ms = :at WHERE customer_id = :id"
                  " AND (cut_off_at_ms IS NULL OR cut_off_at_ms > :at2)",
                  at_ms, customer_id, at_ms);
  }

  std::int64_t cut_off_under(const std::string& path, std::int64_t at_ms) override {
    const std::string pattern = prefix_pattern(path);
    return change("cut off licenses",
                  "UPDATE licenses SET cut_off_at_ms = :at WHERE customer_id IN (SELECT c.id FROM"
                  " customers c JOIN accounts a ON a.id = c.owner_id WHERE a.path LIKE :pattern)"
                  " AND (cut_off_at_ms IS NULL OR cut_off_at_ms > :at2)",
                  at_ms, pattern, at_ms);
  }

  std::int64_t restore_customer(std::int64_t customer_id) override {
    return change("restore licenses",
                  "UPDATE licenses SET cut_off_at_ms = NULL WHERE customer_id = :id"
                  " AND cut_off_at_ms IS NOT NULL",
                  customer_id);
  }

  std::optional<domain::RetiredLicense> find_retired(std::int64_t id) override {
    return guarded("find retired license", [&]() -> std::optional<domain::RetiredLicense> {
      domain::RetiredLicense r;
      // The latest, should the id have been retired more than once.
      sql_ << "SELECT license_id, product_code, scope FROM retired_licenses"
              " WHERE license_id = :id ORDER BY id DESC LIMIT 1",
          soci::use(id), soci::into(r.id), soci::into(r.product_code), soci::into(r.scope);
      if (!sql_.got_data()) return std::nullopt;
      return r;
    });
  }

 private:
  // Runs a license UPDATE, moves the license generation when it changed rows, returns how many.
  template <class... Args>
  std::int64_t change(std::string_view operation, const std::string& update, const Args&... args) {
    return guarded(operation, [&] {
      const std::int64_t changed = affected(sql_, update, args...);
      if (changed > 0) sql_ << std::string(kBumpLicenseGeneration);
      return changed;
    });
  }

  soci::session& sql_;
  StoredSecrets& secrets_;
};

}  // namespace

std::unique_ptr<domain::LicenseRepository> sql_license_repository(soci::session& sql,
                                                                  StoredSecrets& secrets) {
  return std::make_unique<SqlLicenseRepository>(sql, secrets);
}

}  // namespace lmp::storage
