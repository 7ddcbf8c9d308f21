// The customer operations and their rules.
#include "domain/customers.hpp"

#include <boost/json/object.hpp>

#include "domain/domain_error.hpp"
#include "domain/domain_json.hpp"
#include "domain/permissions.hpp"
#include "domain/request_checks.hpp"
#include "domain/unique_names.hpp"

namespace lmp::domain {
namespace {

std::string object_of(const Customer& customer) {
  return "customer:" + std::to_string(customer.id);
}

}  // namespace

Customer visible_customer(const Context& ctx, std::int64_t id, std::string_view permission) {
  if (ctx.caller.customer) {
    if (ctx.caller.customer->id == id) return *ctx.caller.customer;
    throw not_found("customer");
  }
  ctx.require(permission);
  auto customer = ctx.db.customers().find(id);
  if (!customer || !ctx.caller.sees(customer->scope())) throw not_found("customer");
  return *customer;
}

Customer create_customer(const Context& ctx, const CreateCustomer& request) {
  ctx.require(kCreateCustomers);
  const std::string name = required_text("name", request.name);
  std::optional<Account> owner = ctx.caller.account;
  if (request.account_id) {
    owner = ctx.db.accounts().find(*request.account_id);
    if (!owner || !ctx.caller.sees(owner->path)) throw not_found("account");
  }
  if (owner)
    for (const auto& above : ctx.db.accounts().on_path(owner->path))
      if (above.status != AccountStatus::active)
        throw DomainError(ErrorCode::account_not_active,
                          "account " + std::to_string(above.id) + " is " +
                              std::string(to_string(above.status)) + ": no new customers under it");
  auto customer = unique_name(
      [&] { return ctx.db.customers().create(name, owner ? &*owner : nullptr, ctx.now_ms); });
  ctx.audit("customer.create", object_of(customer), customer.scope(), {},
            to_text(customer_json(customer)));
  return customer;
}

std::vector<Customer> list_customers(const Context& ctx, Page page) {
  if (ctx.caller.customer) {
    // A customer's user sees one customer: its own.
    if (ctx.caller.customer->id > page.after) return {*ctx.caller.customer};
    return {};
  }
  ctx.require(kViewCustomers);
  return ctx.db.customers().list_under(ctx.caller.scope, page);
}

CustomerDetail get_customer(const Context& ctx, std::int64_t id) {
  auto customer = visible_customer(ctx, id, kViewCustomers);
  const std::int64_t licenses = ctx.db.licenses().count_of_customer(customer.id);
  return {std::move(customer), licenses};
}

std::optional<Customer> find_customer_named(const Context& ctx, const std::string& name) {
  ctx.require(kViewCustomers);
  auto customer = ctx.db.customers().find_by_name(name);
  if (!customer || !ctx.caller.sees(customer->scope())) return std::nullopt;
  return customer;
}

Customer set_customer_status(const Context& ctx, const SetCustomerStatus& request) {
  auto customer = visible_customer(ctx, request.id, kModifyCustomers);
  if (ctx.caller.customer) throw forbidden("a customer cannot enable or disable itself");
  const auto status = parse<CustomerStatus>(required_text("status", request.status));
  if (!status) throw bad_request("status must be \"enabled\" or \"disabled\"");
  const bool disable = *status == CustomerStatus::disabled;
  // The cancellation of a partner above is final; enabling must not revive its licenses. Checked
  // before the "nothing to change" answer: such a customer usually still reads `enabled` (the
  // cancellation cut its licenses off, not its status), and a 200 would claim it serves.
  if (!disable)
    for (const auto& above : ctx.db.accounts().on_path(customer.owner_path))
      if (above.status == AccountStatus::canceled)
        throw DomainError(ErrorCode::partner_canceled,
                          "the customer's partner account " + std::to_string(above.id) +
                              " is canceled: its customers' licenses stay ended");
  if (customer.status == *status) return customer;
  const std::int64_t changed = disable ? ctx.db.licenses().cut_off_customer(customer.id, ctx.now_ms)
                                       : ctx.db.licenses().restore_customer(customer.id);
  ctx.db.customers().set_status(customer.id, *status, ctx.now_ms);
  auto after = *ctx.db.customers().find(customer.id);
  auto recorded = customer_json(after);
  recorded[disable ? "licenses_ended" : "licenses_restored"] = changed;
  ctx.audit(disable ? "customer.disable" : "customer.enable", object_of(customer), customer.scope(),
            to_text(customer_json(customer)), to_text(recorded));
  return after;
}

Customer rename_customer(const Context& ctx, const RenameCustomer& request) {
  auto customer = visible_customer(ctx, request.id, kModifyCustomers);
  if (ctx.caller.customer) throw forbidden("a customer cannot rename itself");
  const std::string name = required_text("name", request.name);
  if (name == customer.name) return customer;
  unique_name([&] {
    ctx.db.customers().rename(customer.id, name);
    return 0;
  });
  auto after = *ctx.db.customers().find(customer.id);
  ctx.audit("customer.rename", object_of(customer), customer.scope(),
            to_text(customer_json(customer)), to_text(customer_json(after)));
  return after;
}

void delete_customer(const Context& ctx, std::int64_t id) {
  auto customer = visible_customer(ctx, id, kModifyCustomers);
  if (ctx.caller.customer) throw forbidden("a customer cannot delete itself");
  if (const std::int64_t licenses = ctx.db.licenses().count_of_customer(customer.id))
    throw DomainError(ErrorCode::customer_in_use,
                      "customer " + std::to_string(customer.id) + " still holds " +
                          std::to_string(licenses) +
                          " license(s): a customer is deleted once it holds none (they are"
                          " deleted at their product's End of Life; disable the customer to end"
                          " them now)");
  // Its policies one by one: each removal moves the policy generation the seat path follows.
  const auto policies = ctx.db.policies().list(customer.id);
  for (const auto& policy : policies) ctx.db.policies().remove(customer.id, policy.product);
  // Webhooks of its place: nothing is raised there any more.
  std::int64_t webhooks = 0;
  for (;;) {
    const auto page = ctx.db.webhooks().list(customer.scope(), Page{0, 100});
    for (const auto& webhook : page) ctx.db.webhooks().remove(webhook.id);
    webhooks += static_cast<std::int64_t>(page.size());
    if (page.size() < 100) break;
  }
  std::int64_t users = 0;
  for (Page page{0, 1000};;) {
    const auto some = ctx.db.users().list(std::nullopt, customer.id, page);
    users += static_cast<std::int64_t>(some.size());
    if (some.size() < static_cast<std::size_t>(page.limit)) break;
    page.after = some.back().id;
  }
  ctx.db.customers().remove(customer.id);
  auto recorded = customer_json(customer);
  recorded["users_deleted"] = users;
  recorded["policies_deleted"] = static_cast<std::int64_t>(policies.size());
  recorded["webhooks_deleted"] = webhooks;
  ctx.audit("customer.delete", object_of(customer), customer.scope(), to_text(recorded), {});
}

}  // namespace lmp::domain
