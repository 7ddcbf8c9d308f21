// The service plan operations: create, list, read and modify the terms a product is sold on. A
// caller sees the plans of its own account, of the accounts above it (the parent's plans serve
// every partner) and of the accounts below it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/context.hpp"
#include "domain/page.hpp"
#include "domain/service_plan.hpp"

namespace lmp::domain {

// The terms a plan's owner may change; absent ones stay as they are.
struct PlanTerms {
  std::optional<std::string> name;
  std::optional<std::int64_t> period_days;
  std::optional<bool> auto_renew;
  std::optional<std::int64_t> notice_days;
  std::optional<std::int64_t> grace_days;
};

struct CreatePlan {
  std::optional<std::string> product;
  std::optional<bool> trial;  // required: fixed for the plan's life
  PlanTerms terms;            // name and period_days required
};

struct ModifyPlan {
  std::int64_t id = 0;
  std::optional<bool> trial;  // may only repeat the plan's
  PlanTerms terms;
};

struct PlanQuery {
  std::string product;  // "" for every product
  Page page;
};

// One page of plans; `next` is the cursor of the following page, if there is one.
struct PlanList {
  std::vector<ServicePlan> plans;
  std::optional<std::int64_t> next;
};

// Needs manage_service_plans; the product must be for sale.
ServicePlan create_plan(const Context& ctx, const CreatePlan& request);
// Needs manage_service_plans or create_registration_keys. Plans of End-of-Life (or unconfigured)
// products are gone: left out, while the cursor moves past them.
PlanList list_plans(const Context& ctx, const PlanQuery& query);
ServicePlan get_plan(const Context& ctx, std::int64_t id);
// Needs manage_service_plans and a plan of the caller's account or one below it; a plan of a
// product past its End of Sale is read-only (end_of_sale).
ServicePlan modify_plan(const Context& ctx, const ModifyPlan& request);

}  // namespace lmp::domain
