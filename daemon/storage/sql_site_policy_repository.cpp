// The customers' site policies in SQL; every change moves the policy generation in the same
// transaction, so the seat path (on any instance) compiles the new policy for its next checkout.
#include <string>

#include "storage/sql_repositories.hpp"
#include "storage/sql_rows.hpp"

namespace lmp::storage {
namespace {

using domain::StoredPolicy;

struct PolicyColumns {
  using Row = StoredPolicy;
  static constexpr std::string_view kRead = "read site policies";
  static constexpr std::string_view kSelect =
      "SELECT customer_id, product_code, policy, updated_at_ms, source FROM site_policies";

  void bind(soci::statement& st, StoredPolicy& p) {
    bind_columns(st, p.customer_id, p.product, p.text, p.updated_at_ms, p.source);
  }
  StoredPolicy finish(StoredPolicy p) const { return p; }
};

class SqlSitePolicyRepository final : public domain::SitePolicyRepository {
 public:
  explicit SqlSitePolicyRepository(soci::session& sql) : sql_(sql) {}

  std::optional<StoredPolicy> find(std::int64_t customer_id, const std::string& product) override {
    return first(select_rows<PolicyColumns>(
        sql_, " WHERE customer_id = :customer AND product_code = :product", customer_id, product));
  }

  std::vector<StoredPolicy> list(std::int64_t customer_id) override {
    return select_rows<PolicyColumns>(sql_, " WHERE customer_id = :customer ORDER BY product_code",
                                      customer_id);
  }

  void set(const StoredPolicy& p) override {
    guarded("write site policy", [&] {
      sql_ << "DELETE FROM site_policies WHERE customer_id = :customer AND product_code = :product",
          soci::use(p.customer_id), soci::use(p.product);
      sql_ << "INSERT INTO site_policies (customer_id, product_code, policy, updated_at_ms,"
              " source) VALUES (:customer, :product, :policy, :updated, :source)",
          soci::use(p.customer_id), soci::use(p.product), soci::use(p.text),
          soci::use(p.updated_at_ms), soci::use(p.source);
      move_generation();
    });
  }

  bool remove(std::int64_t customer_id, const std::string& product) override {
    return guarded("delete site policy", [&] {
      if (affected(sql_,
                   "DELETE FROM site_policies WHERE customer_id = :customer AND product_code ="
                   " :product",
                   customer_id, product) == 0)
        return false;
      move_generation();
      return true;
    });
  }

  std::vector<StoredPolicy> list_from_files() override {
    return select_rows<PolicyColumns>(sql_,
                                      " WHERE source <> '' ORDER BY customer_id, product_code");
  }

 private:
  void move_generation() { sql_ << kBumpPolicyGeneration; }

  soci::session& sql_;
};

}  // namespace

std::unique_ptr<domain::SitePolicyRepository> sql_site_policy_repository(soci::session& sql) {
  return std::make_unique<SqlSitePolicyRepository>(sql);
}

}  // namespace lmp::storage
