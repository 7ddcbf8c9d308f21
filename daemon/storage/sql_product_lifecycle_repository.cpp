// The product lifecycle rows in SQL, and the End-of-Life deletion of a product's data.
#include <string>

#include "domain/usage_record.hpp"
#include "storage/license_rows.hpp"
#include "storage/sql_repositories.hpp"
#include "storage/sql_rows.hpp"
#include "storage/usage_record_ids.hpp"

namespace lmp::storage {
namespace {

// The licenses of one product, as a sub-select for the End-of-Life deletion.
constexpr std::string_view kProductLicenseIds =
    "SELECT id FROM licenses WHERE product_code = :code";

class SqlProductLifecycleRepository final : public domain::ProductLifecycleRepository {
 public:
  explicit SqlProductLifecycleRepository(soci::session& sql) : sql_(sql) {}

  std::vector<domain::StoredLifecycle> all() override {
    return guarded("read product lifecycle", [&] { return read_product_lifecycles(sql_); });
  }

  void set_end_of_sale(const std::string& code, std::int64_t at_ms) override {
    set_date(code, "end_of_sale_ms", at_ms);
  }

  void set_end_of_life(const std::string& code, std::int64_t at_ms) override {
    set_date(code, "end_of_life_ms", at_ms);
  }

  bool claim_deletion(const std::string& code, std::int64_t now_ms) override {
    return guarded("claim End-of-Life deletion", [&] {
      ensure_row(code);
      return affected(sql_,
                      "UPDATE product_lifecycle SET data_deleted_at_ms = :now"
                      " WHERE product_code = :code AND data_deleted_at_ms IS NULL",
                      now_ms, code) == 1;
    });
  }

  domain::EndOfLifeDeletion delete_product_data(const std::string& code,
                                                std::int64_t now_ms) override {
    return guarded("delete product data", [&] {
      const std::string ids(kProductLicenseIds);
      // Each lease's endpoint hears `lease_revoked` at its next heartbeat, for as long as one
      // more heartbeat would have kept the lease (seat_decisions.cpp does the same for a release).
      const std::string reason = "product " + code + " reached End of Life";
      sql_ << "INSERT INTO revoked_leases (id, ref, license_id, reason, revoked_at_ms, until_ms)"
              " SELECT id, ref, license_id, :reason, :now,"
              " CASE WHEN expires_at_ms > :now2 + expires_at_ms - heartbeat_at_ms"
              " THEN expires_at_ms ELSE :now3 + expires_at_ms - heartbeat_at_ms END"
              " FROM leases WHERE license_id IN (" +
                  ids + ") ON CONFLICT (id) DO NOTHING",
          soci::use(reason), soci::use(now_ms), soci::use(now_ms), soci::use(now_ms),
          soci::use(code);
      const std::string end_of_life(domain::usage_event::kEndOfLife);
      // Each lease ends here: its usage record is written with its deletion (the seat engine's
      // records are written with the seat path's changes, seat/usage_recorder.cpp).
      // On SQLite a record's id carries its time, the lease records numbered from the first
      // id of this time (storage/usage_record_ids.hpp).
      const bool sqlite = sql_.get_backend_name() == "sqlite3";
      const std::string columns =
          "event, license_id, product_code, customer_id, account_id, scope, units, user_name,"
          " host, peer, lease_ref, code, since_ms) SELECT ";
      const std::string id = "n.next_id + ROW_NUMBER() OVER (ORDER BY le.id) - 1";
      const std::string time =
          sqlite ? id + ", " + usage_id_time_sql(id) + ", :event," : ":now, :event,";
      sql_ << (sqlite ? "WITH n AS (" + next_usage_id_sql(":now") +
                            ") INSERT INTO usage_records (id, at_ms, "
                      : std::string("INSERT INTO usage_records (at_ms, ")) +
                  columns + time +
                  " le.license_id, le.product_code, l.customer_id, c.owner_id,"
                  " COALESCE(a.path, '/') || 'c' || CAST(c.id AS TEXT) || '/', le.units,"
                  " le.user_name, le.host, le.peer, le.ref, '', le.issued_at_ms"
                  " FROM " +
                  (sqlite ? "n, " : "") +
                  "leases le JOIN licenses l ON l.id = le.license_id"
                  " JOIN customers c ON c.id = l.customer_id"
                  " LEFT JOIN accounts a ON a.id = c.owner_id WHERE l.product_code = :code",
          soci::use(now_ms), soci::use(end_of_life), soci::use(code);
      sql_ << "INSERT INTO retired_licenses (license_id, code_hash, product_code, scope)"
              " SELECT l.id, l.code_hash, l.product_code,"
              " COALESCE(a.path, '/') || 'c' || CAST(c.id AS TEXT) || '/'"
              " FROM licenses l JOIN customers c ON c.id = l.customer_id"
              " LEFT JOIN accounts a ON a.id = c.owner_id WHERE l.product_code = :code",
          soci::use(code);
      domain::EndOfLifeDeletion out;
      out.leases = affected(sql_, "DELETE FROM leases WHERE license_id IN (" + ids + ")", code);
      out.activations =
          affected(sql_, "DELETE FROM activations WHERE license_id IN (" + ids + ")", code);
      // No mark outlives its license (before schema 19, SQLite gave a deleted license's id to
      // the next new one, which must start with no mark of its own).
      affected(sql_, "DELETE FROM license_clock_marks WHERE license_id IN (" + ids + ")", code);
      // A redeemed key keeps its record (who redeemed it, when) but no longer names a license:
      // before schema 19, SQLite handed the deleted license's id to the next new one.
      affected(sql_,
               "UPDATE registration_keys SET license_id = NULL WHERE license_id IN (" + ids + ")",
               code);
      out.licenses = affected(sql_, "DELETE FROM licenses WHERE product_code = :code", code);
      sql_ << std::string(kBumpLicenseGeneration);
      sql_ << "UPDATE counters SET value = value + 1 WHERE name = 'lease_purge'";
      return out;
    });
  }

 private:
  // Both databases know INSERT ... ON CONFLICT DO NOTHING (SQLite since 3.24).
  void ensure_row(const std::string& code) {
    sql_ << "INSERT INTO product_lifecycle (product_code) VALUES (:code)"
            " ON CONFLICT (product_code) DO NOTHING",
        soci::use(code);
  }

  void set_date(const std::string& code, const std::string& column, std::int64_t at_ms) {
    guarded("set product lifecycle", [&] {
      ensure_row(code);
      sql_ << "UPDATE product_lifecycle SET " + column + " = :at WHERE product_code = :code",
          soci::use(at_ms), soci::use(code);
      sql_ << std::string(kBumpLicenseGeneration);
    });
  }

  soci::session& sql_;
};

}  // namespace

std::unique_ptr<domain::ProductLifecycleRepository> sql_product_lifecycle_repository(
    soci::session& sql) {
  return std::make_unique<SqlProductLifecycleRepository>(sql);
}

}  // namespace lmp::storage
