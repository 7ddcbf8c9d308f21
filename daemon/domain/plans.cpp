// The service plan operations and their rules.
#include "domain/plans.hpp"

#include <boost/json/object.hpp>

#include "domain/domain_error.hpp"
#include "domain/domain_json.hpp"
#include "domain/limits.hpp"
#include "domain/permissions.hpp"
#include "domain/product_sales.hpp"
#include "domain/request_checks.hpp"
#include "domain/unique_names.hpp"

namespace lmp::domain {
namespace {

std::string object_of(const ServicePlan& plan) {
  return "plan:" + std::to_string(plan.id);
}

// Reading plans is for those who make them and those who issue keys from them.
void require_plan_reader(const Context& ctx) {
  if (!ctx.caller.can(kManageServicePlans)) ctx.require(kCreateRegistrationKeys);
}

void apply_terms(const PlanTerms& terms, ServicePlan& plan) {
  if (auto v = optional_text("name", terms.name)) plan.name = *v;
  if (auto v = count_within("period_days", terms.period_days, 1, kMaxDays)) plan.period_days = *v;
  if (terms.auto_renew) plan.auto_renew = *terms.auto_renew;
  if (auto v = count_within("notice_days", terms.notice_days, 0, kMaxDays)) plan.notice_days = *v;
  if (auto v = count_within("grace_days", terms.grace_days, 0, kMaxDays)) plan.grace_days = *v;
}

// A plan the caller sees whose product still exists (a plan of an End-of-Life product is gone).
ServicePlan visible_plan(const Context& ctx, std::int64_t id, SaleState& state) {
  auto plan = ctx.db.plans().find(id);
  if (!plan || !ctx.caller.in_line_with(plan->owner_path)) throw not_found("plan");
  configured_product(ctx, plan->product_code, state);
  if (state == SaleState::end_of_life) throw not_found("plan");
  return *plan;
}

}  // namespace

ServicePlan create_plan(const Context& ctx, const CreatePlan& request) {
  ctx.require(kManageServicePlans);
  if (!ctx.caller.account) throw forbidden("plans are made by an account");
  ServicePlan plan;
  plan.name = required_text("name", request.terms.name);
  const auto& product = product_for_sale(ctx, required_text("product", request.product));
  plan.trial = required(request.trial, "trial is required (true or false)");
  required(request.terms.period_days, "period_days is required");
  plan.owner_id = ctx.caller.account->id;
  plan.product_code = product.code;
  plan.unit = product.unit;
  apply_terms(request.terms, plan);
  plan.created_at_ms = plan.updated_at_ms = ctx.now_ms;
  auto created = unique_name([&] { return ctx.db.plans().create(plan); });
  ctx.audit("plan.create", object_of(created), created.owner_path, {}, to_text(plan_json(created)));
  return created;
}

PlanList list_plans(const Context& ctx, const PlanQuery& query) {
  require_plan_reader(ctx);
  auto rows = ctx.db.plans().list(ctx.caller.scope, query.product,
                                  {query.page.after, query.page.limit + 1});
  PlanList out;
  if (static_cast<int>(rows.size()) > query.page.limit) {
    rows.resize(static_cast<std::size_t>(query.page.limit));
    out.next = rows.back().id;
  }
  for (auto& plan : rows)
    if (ctx.products.find(plan.product_code) != nullptr &&
        !ctx.lifecycle(plan.product_code).end_of_life())
      out.plans.push_back(std::move(plan));
  return out;
}

ServicePlan get_plan(const Context& ctx, std::int64_t id) {
  require_plan_reader(ctx);
  SaleState state{};
  return visible_plan(ctx, id, state);
}

ServicePlan modify_plan(const Context& ctx, const ModifyPlan& request) {
  ctx.require(kManageServicePlans);
  SaleState state{};
  auto plan = visible_plan(ctx, request.id, state);
  if (!ctx.caller.sees(plan.owner_path))
    throw forbidden("a plan of an account above yours is read-only for you");
  if (state == SaleState::end_of_sale)
    throw DomainError(ErrorCode::end_of_sale,
                      "the plan's product is past its End of Sale: read-only");
  if (request.trial && *request.trial != plan.trial)
    throw bad_request("trial is fixed when the plan is created");
  const auto before = plan;
  apply_terms(request.terms, plan);
  plan.updated_at_ms = ctx.now_ms;
  unique_name([&] { ctx.db.plans().update(plan); });
  auto after = *ctx.db.plans().find(plan.id);
  ctx.audit("plan.update", object_of(plan), plan.owner_path, to_text(plan_json(before)),
            to_text(plan_json(after)));
  return after;
}

}  // namespace lmp::domain
