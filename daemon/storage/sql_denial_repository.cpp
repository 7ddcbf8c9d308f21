// The denials report's count in SQL: the database groups the denial records of a range (through
// their own partial index) by the fields asked for, so only the rows of the report travel.
#include <string>
#include <vector>

#include "domain/usage_record.hpp"
#include "storage/sql_repositories.hpp"
#include "storage/sql_rows.hpp"

namespace lmp::storage {
namespace {

// Each field's column, and what is selected in its place when the count is not by it (so the
// row's binding stays the same whatever the fields).
struct FieldColumn {
  domain::DenialField field;
  std::string_view column;
  std::string_view absent;
};
constexpr FieldColumn kColumns[] = {
    {domain::DenialField::product, "product_code", "''"},
    {domain::DenialField::user, "user_name", "''"},
    {domain::DenialField::host, "host", "''"},
    {domain::DenialField::code, "code", "''"},
    {domain::DenialField::license, "license_id", "CAST(NULL AS BIGINT)"},
    {domain::DenialField::customer, "customer_id", "CAST(NULL AS BIGINT)"},
    {domain::DenialField::partner, "account_id", "CAST(NULL AS BIGINT)"},
};

std::string_view column_of(domain::DenialField field) {
  for (const auto& c : kColumns)
    if (c.field == field) return c.column;
  return {};
}

bool counted_by(const domain::DenialCount& count, domain::DenialField field) {
  for (auto f : count.by)
    if (f == field) return true;
  return false;
}

class SqlDenialRepository final : public domain::DenialRepository {
 public:
  explicit SqlDenialRepository(soci::session& sql) : sql_(sql) {}

  std::vector<domain::DenialRow> count(const domain::DenialCount& count) override {
    return guarded("count denials", [&] {
      std::string select = "SELECT ";
      for (const auto& c : kColumns)
        select += std::string(counted_by(count, c.field) ? c.column : c.absent) + ", ";
      select +=
          "COUNT(*), CAST(COALESCE(SUM(units), 0) AS BIGINT), COALESCE(MIN(at_ms), 0),"
          " COALESCE(MAX(at_ms), 0) FROM usage_records"
          " WHERE event = 'denial' AND at_ms >= :from AND at_ms < :to AND scope LIKE :pattern";
      // Only the filters given are written, each bound in the order it appears.
      const std::string pattern = prefix_pattern(count.filter.scope_prefix);
      const std::int64_t license = count.filter.license_id.value_or(0);
      const std::int64_t customer = count.filter.customer_id.value_or(0);
      const std::string& product = count.filter.product;
      if (count.filter.license_id) select += " AND license_id = :license";
      if (count.filter.customer_id) select += " AND customer_id = :customer";
      if (!product.empty()) select += " AND product_code = :product";
      std::string grouped;
      for (auto field : count.by)
        grouped += (grouped.empty() ? "" : ", ") + std::string(column_of(field));
      if (!grouped.empty()) select += " GROUP BY " + grouped + " ORDER BY " + grouped;
      const int limit = static_cast<int>(count.limit);
      select += " LIMIT :limit";

      domain::DenialRow row;
      NullableId license_id, customer_id, account_id;
      soci::statement st(sql_);
      bind_columns(st, row.key.product, row.key.user, row.key.host, row.key.code, license_id,
                   customer_id, account_id, row.denials, row.units, row.first_ms, row.last_ms);
      bind_all(st, count.from_ms, count.to_ms, pattern);
      if (count.filter.license_id) bind_all(st, license);
      if (count.filter.customer_id) bind_all(st, customer);
      if (!product.empty()) bind_all(st, product);
      bind_all(st, limit);
      finish_prepare(st, select);
      std::vector<domain::DenialRow> out;
      st.execute(false);
      while (st.fetch()) {
        if (row.denials == 0) continue;  // a count by no field over no denial
        row.key.license_id = license_id.get();
        row.key.customer_id = customer_id.get();
        row.key.account_id = account_id.get();
        out.push_back(row);
      }
      return out;
    });
  }

 private:
  soci::session& sql_;
};

}  // namespace

std::unique_ptr<domain::DenialRepository> sql_denial_repository(soci::session& sql) {
  return std::make_unique<SqlDenialRepository>(sql);
}

}  // namespace lmp::storage
