// Service plans: create, list, read and modify the terms a product is sold on. A caller sees the
// plans of its own account, of the accounts above it (the parent's plans serve every partner) and
// of the accounts below it.
#include "domain/domain_json.hpp"
#include "domain/permissions.hpp"
#include "domain/product_lifecycle.hpp"
#include "domain/product_sales.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

constexpr std::int64_t kMaxDays = 36500;

// Reading plans is for those who make them and those who issue keys from them.
void require_plan_reader(const AdminCall& call) {
  if (!call.caller.can(domain::kManageServicePlans)) call.require(domain::kCreateRegistrationKeys);
}

// The terms a caller may change, applied to `plan`; `trial` is fixed at creation.
void apply_terms(const AdminCall& call, domain::ServicePlan& plan) {
  if (auto v = call.optional_text("name")) plan.name = *v;
  if (auto v = call.optional_count("period_days", 1, kMaxDays)) plan.period_days = *v;
  if (auto v = call.optional_bool("auto_renew")) plan.auto_renew = *v;
  if (auto v = call.optional_count("notice_days", 0, kMaxDays)) plan.notice_days = *v;
  if (auto v = call.optional_count("grace_days", 0, kMaxDays)) plan.grace_days = *v;
}

json::value create_plan(AdminCall& call) {
  call.require(domain::kManageServicePlans);
  domain::ServicePlan plan;
  plan.name = call.text("name");
  const auto& product = domain::product_for_sale(call.context(), call.text("product"));
  auto trial = call.optional_bool("trial");
  if (!trial) throw bad_request("trial is required (true or false)");
  if (!call.optional_count("period_days", 1, kMaxDays))
    throw bad_request("period_days is required");
  plan.owner_id = call.caller.account->id;
  plan.product_code = product.code;
  plan.trial = *trial;
  plan.unit = product.unit;
  apply_terms(call, plan);
  plan.created_at_ms = plan.updated_at_ms = call.now_ms;
  auto created = call.db.plans().create(plan);
  auto after = domain::plan_json(created);
  call.audit("plan.create", "plan:" + std::to_string(created.id), created.owner_path, {},
             domain::to_text(after));
  return after;
}

// A plan the caller sees whose product still exists (a plan of an End-of-Life product is gone).
domain::ServicePlan visible_plan(const AdminCall& call, std::size_t n, domain::SaleState& state) {
  const std::int64_t id = call.path_id(n, "plan");
  auto plan = call.db.plans().find(id);
  if (!plan || !call.caller.in_line_with(plan->owner_path)) throw not_found("plan");
  domain::configured_product(call.context(), plan->product_code, state);
  if (state == domain::SaleState::end_of_life) throw not_found("plan");
  return *plan;
}

json::value list_plans(AdminCall& call) {
  require_plan_reader(call);
  const std::string product = call.query("product").value_or("");
  auto rows = call.db.plans().list(call.caller.scope, product, call.lookahead());
  json::object out = page_of(rows, call.page(), domain::plan_json);
  // Plans of End-of-Life (or unconfigured) products are gone; the cursor still moves past them.
  json::array kept;
  for (auto& item : out["items"].as_array()) {
    const std::string code(item.at("product").as_string());
    if (call.products.find(code) != nullptr &&
        !domain::product_lifecycle(call.db.lifecycles().all(), call.products, code, call.now_ms)
             .end_of_life())
      kept.push_back(std::move(item));
  }
  out["items"] = std::move(kept);
  return out;
}

json::value get_plan(AdminCall& call) {
  require_plan_reader(call);
  domain::SaleState state{};
  return domain::plan_json(visible_plan(call, 0, state));
}

json::value modify_plan(AdminCall& call) {
  call.require(domain::kManageServicePlans);
  domain::SaleState state{};
  auto plan = visible_plan(call, 0, state);
  if (!call.caller.sees(plan.owner_path))
    throw forbidden("a plan of an account above yours is read-only for you");
  if (state == domain::SaleState::end_of_sale)
    throw conflict("end_of_sale", "the plan's product is past its End of Sale: read-only");
  if (auto trial = call.optional_bool("trial"); trial && *trial != plan.trial)
    throw bad_request("trial is fixed when the plan is created");
  auto before = domain::plan_json(plan);
  apply_terms(call, plan);
  plan.updated_at_ms = call.now_ms;
  call.db.plans().update(plan);
  auto after = domain::plan_json(*call.db.plans().find(plan.id));
  call.audit("plan.update", "plan:" + std::to_string(plan.id), plan.owner_path,
             domain::to_text(before), domain::to_text(after));
  return after;
}

}  // namespace

void add_plan_routes(AdminRoutes& routes) {
  routes.add("POST", "/v1/plans", Mode::write, create_plan);
  routes.add("GET", "/v1/plans", Mode::read, list_plans);
  routes.add("GET", "/v1/plans/{}", Mode::read, get_plan);
  routes.add("PATCH", "/v1/plans/{}", Mode::write, modify_plan);
  routes.add("PUT", "/v1/plans/{}", Mode::write, modify_plan);
}

}  // namespace lmp::http
