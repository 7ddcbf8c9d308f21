// The partner pools in SQL: a draw is one conditional UPDATE, safe under concurrent draws.
#include <string>

#include "storage/sql_repositories.hpp"
#include "storage/sql_rows.hpp"

namespace lmp::storage {
namespace {

using domain::PartnerPool;

struct PoolColumns {
  using Row = PartnerPool;
  static constexpr std::string_view kRead = "read pools";
  static constexpr std::string_view kSelect =
      "SELECT account_id, product_code, assigned, drawn FROM partner_pools";

  void bind(soci::statement& st, PartnerPool& p) {
    bind_columns(st, p.account_id, p.product_code, p.assigned, p.drawn);
  }
  PartnerPool finish(PartnerPool p) const { return p; }
};

class SqlPoolRepository final : public domain::PoolRepository {
 public:
  explicit SqlPoolRepository(soci::session& sql) : sql_(sql) {}

  void set(std::int64_t account_id, const std::string& product, std::int64_t assigned) override {
    guarded("assign pool", [&] {
      if (affected(sql_,
                   "UPDATE partner_pools SET assigned = :assigned WHERE account_id = :account"
                   " AND product_code = :product",
                   assigned, account_id, product) == 0)
        sql_ << "INSERT INTO partner_pools (account_id, product_code, assigned, drawn)"
                " VALUES (:account, :product, :assigned, 0)",
            soci::use(account_id), soci::use(product), soci::use(assigned);
    });
  }

  std::optional<PartnerPool> find(std::int64_t account_id, const std::string& product) override {
    return first(select_rows<PoolColumns>(
        sql_, " WHERE account_id = :account AND product_code = :product", account_id, product));
  }

  std::vector<PartnerPool> list(std::int64_t account_id) override {
    return select_rows<PoolColumns>(sql_, " WHERE account_id = :account ORDER BY product_code",
                                    account_id);
  }

  bool change_drawn(std::int64_t account_id, const std::string& product,
                    std::int64_t units) override {
    return guarded("draw from pool", [&] {
      return affected(sql_,
                      "UPDATE partner_pools SET drawn = drawn + :units WHERE account_id = :account"
                      " AND product_code = :product AND (:units2 < 0 OR drawn + :units3 <="
                      " assigned)",
                      units, account_id, product, units, units) == 1;
    });
  }

 private:
  soci::session& sql_;
};

}  // namespace

std::unique_ptr<domain::PoolRepository> sql_pool_repository(soci::session& sql) {
  return std::make_unique<SqlPoolRepository>(sql);
}

}  // namespace lmp::storage
