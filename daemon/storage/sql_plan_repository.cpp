// The service plans in SQL.
#include <string>

#include "storage/sql_repositories.hpp"
#include "storage/sql_rows.hpp"

namespace lmp::storage {
namespace {

using domain::ServicePlan;

struct PlanColumns {
  using Row = ServicePlan;
  static constexpr std::string_view kRead = "read plans";
  static constexpr std::string_view kSelect =
      "SELECT p.id, p.name, p.owner_id, a.path, p.product_code, p.trial, p.unit, p.period_days,"
      " p.auto_renew, p.notice_days, p.grace_days, p.created_at_ms, p.updated_at_ms"
      " FROM service_plans p JOIN accounts a ON a.id = p.owner_id";

  void bind(soci::statement& st, ServicePlan& p) {
    bind_columns(st, p.id, p.name, p.owner_id, p.owner_path, p.product_code, trial, unit,
                 p.period_days, renew, p.notice_days, p.grace_days, p.created_at_ms,
                 p.updated_at_ms);
  }
  ServicePlan finish(ServicePlan p) const {
    p.trial = trial != 0;
    p.auto_renew = renew != 0;
    p.unit = enum_column<domain::UnitType>(unit, "plan unit");
    return p;
  }

  int trial = 0;
  int renew = 0;
  std::string unit;
};

class SqlPlanRepository final : public domain::PlanRepository {
 public:
  explicit SqlPlanRepository(soci::session& sql) : sql_(sql) {}

  ServicePlan create(const ServicePlan& p) override {
    const std::int64_t id = guarded("create plan", [&] {
      refuse_taken_name(p.name, 0);
      const int trial = p.trial ? 1 : 0;
      const int renew = p.auto_renew ? 1 : 0;
      const std::string unit(to_string(p.unit));
      std::int64_t new_id = 0;
      sql_ << "INSERT INTO service_plans (name, owner_id, product_code, trial, unit, period_days,"
              " auto_renew, notice_days, grace_days, created_at_ms, updated_at_ms) VALUES"
              " (:name, :owner, :product, :trial, :unit, :period, :renew, :notice, :grace,"
              " :created, :updated) RETURNING id",
          soci::use(p.name), soci::use(p.owner_id), soci::use(p.product_code), soci::use(trial),
          soci::use(unit), soci::use(p.period_days), soci::use(renew), soci::use(p.notice_days),
          soci::use(p.grace_days), soci::use(p.created_at_ms), soci::use(p.updated_at_ms),
          soci::into(new_id);
      return new_id;
    });
    return *find(id);
  }

  std::optional<ServicePlan> find(std::int64_t id) override {
    return first(select_rows<PlanColumns>(sql_, " WHERE p.id = :id", id));
  }

  std::vector<ServicePlan> list(const std::string& scope, const std::string& product,
                                domain::Page page) override {
    const std::string pattern = prefix_pattern(scope);
    const int any_product = product.empty() ? 1 : 0;
    return select_rows<PlanColumns>(
        sql_,
        " WHERE (:scope LIKE a.path || '%' OR a.path LIKE :pattern) AND (:any = 1 OR"
        " p.product_code = :product) AND p.id > :after ORDER BY p.id LIMIT :limit",
        scope, pattern, any_product, product, page.after, page.limit);
  }

  void update(const ServicePlan& p) override {
    guarded("update plan", [&] {
      refuse_taken_name(p.name, p.id);
      const int renew = p.auto_renew ? 1 : 0;
      sql_ << "UPDATE service_plans SET name = :name, period_days = :period, auto_renew = :renew,"
              " notice_days = :notice, grace_days = :grace, updated_at_ms = :updated"
              " WHERE id = :id",
          soci::use(p.name), soci::use(p.period_days), soci::use(renew), soci::use(p.notice_days),
          soci::use(p.grace_days), soci::use(p.updated_at_ms), soci::use(p.id);
    });
  }

 private:
  // DuplicateError when another plan than `id` has the name.
  void refuse_taken_name(const std::string& name, std::int64_t id) {
    std::int64_t clash = 0;
    sql_ << "SELECT COUNT(*) FROM service_plans WHERE name = :name AND id <> :id", soci::use(name),
        soci::use(id), soci::into(clash);
    if (clash > 0) throw domain::DuplicateError("a service plan with this name already exists");
  }

  soci::session& sql_;
};

}  // namespace

std::unique_ptr<domain::PlanRepository> sql_plan_repository(soci::session& sql) {
  return std::make_unique<SqlPlanRepository>(sql);
}

}  // namespace lmp::storage
