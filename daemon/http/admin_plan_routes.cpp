// Service plans over HTTP (docs/admin-api.md, service plans): each route reads its JSON into the
// request of a domain operation (domain/plans.hpp) and writes the answer.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "domain/domain_json.hpp"
#include "domain/limits.hpp"
#include "domain/plans.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

using domain::kMaxDays;

domain::PlanTerms terms_of(const AdminCall& call) {
  domain::PlanTerms terms;
  terms.name = call.optional_text("name");
  terms.period_days = call.optional_count("period_days", 1, kMaxDays);
  terms.auto_renew = call.optional_bool("auto_renew");
  terms.notice_days = call.optional_count("notice_days", 0, kMaxDays);
  terms.grace_days = call.optional_count("grace_days", 0, kMaxDays);
  return terms;
}

json::value create_plan(AdminCall& call) {
  domain::CreatePlan request;
  request.product = call.optional_text("product");
  request.trial = call.optional_bool("trial");
  request.terms = terms_of(call);
  return domain::plan_json(domain::create_plan(call.context(), request));
}

json::value list_plans(AdminCall& call) {
  domain::PlanQuery query;
  query.product = call.query("product").value_or("");
  query.page = call.page();
  const auto listed = domain::list_plans(call.context(), query);
  json::array items;
  for (const auto& plan : listed.plans) items.push_back(domain::plan_json(plan));
  return json::object{
      {"items", std::move(items)},
      {"next", listed.next ? json::value(std::to_string(*listed.next)) : json::value(nullptr)}};
}

json::value get_plan(AdminCall& call) {
  return domain::plan_json(domain::get_plan(call.context(), call.path_id(0, "plan")));
}

json::value modify_plan(AdminCall& call) {
  domain::ModifyPlan request;
  request.id = call.path_id(0, "plan");
  request.trial = call.optional_bool("trial");
  request.terms = terms_of(call);
  return domain::plan_json(domain::modify_plan(call.context(), request));
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
