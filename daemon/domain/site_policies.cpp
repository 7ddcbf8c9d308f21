// The site policy operations (domain/site_policies.hpp).
#include "domain/site_policies.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "domain/customers.hpp"
#include "domain/domain_error.hpp"
#include "domain/domain_json.hpp"
#include "domain/permissions.hpp"

namespace lmp::domain {
namespace json = boost::json;

namespace {

std::string object_of(std::int64_t customer_id, const std::string& product) {
  return "customer:" + std::to_string(customer_id) + "/policy" +
         (product.empty() ? std::string() : ":" + product);
}

CustomerPolicy from_stored(const StoredPolicy& stored) {
  auto parsed = parse_site_policy(std::string_view(stored.text));
  // Only validated policies are stored; a row that does not read back was written by something
  // other than lmpd.
  if (!parsed.problems.empty())
    throw StoreError("the stored site policy of customer " + std::to_string(stored.customer_id) +
                     " does not read: " + problems_message(parsed.problems));
  parsed.policy.product = stored.product;
  return {stored.customer_id, std::move(parsed.policy), stored.updated_at_ms};
}

std::string audit_text(const std::optional<StoredPolicy>& stored) {
  return stored ? stored->text : std::string();
}

Customer changeable_customer(const Context& ctx, std::int64_t customer_id) {
  auto customer = visible_customer(ctx, customer_id, kModifyCustomers);
  if (ctx.caller.customer) throw forbidden("a customer cannot change its own site policy");
  return customer;
}

}  // namespace

std::vector<CustomerPolicy> customer_policies(const Context& ctx, std::int64_t customer_id) {
  const auto customer = visible_customer(ctx, customer_id, kViewCustomers);
  std::vector<CustomerPolicy> out;
  for (const auto& stored : ctx.db.policies().list(customer.id)) out.push_back(from_stored(stored));
  return out;
}

CustomerPolicy set_customer_policy(const Context& ctx, std::int64_t customer_id,
                                   const json::value& body) {
  const auto customer = changeable_customer(ctx, customer_id);
  auto parsed = parse_site_policy(body);
  if (parsed.problems.empty()) {
    LicenseFilter filter;
    filter.customer_id = customer.id;
    filter.product = parsed.policy.product;
    std::vector<PolicyLicense> licenses;
    Page page{0, 1000};
    for (;;) {
      auto rows = ctx.db.licenses().list(filter, page);
      for (const auto& l : rows) licenses.push_back({l.id, l.product_code, l.units});
      if (rows.size() < static_cast<std::size_t>(page.limit)) break;
      page.after = rows.back().id;
    }
    parsed.problems = check_reservations(parsed.policy, licenses);
  }
  if (!parsed.problems.empty())
    throw bad_request("the site policy is refused: " + problems_message(parsed.problems));

  const auto& product = parsed.policy.product;
  const auto before = ctx.db.policies().find(customer.id, product);
  StoredPolicy stored{customer.id, product, site_policy_text(parsed.policy), ctx.now_ms};
  ctx.db.policies().set(stored);
  ctx.audit("policy.set", object_of(customer.id, product), customer.scope(), audit_text(before),
            stored.text);
  return {customer.id, std::move(parsed.policy), ctx.now_ms};
}

void delete_customer_policy(const Context& ctx, std::int64_t customer_id,
                            const std::string& product) {
  const auto customer = changeable_customer(ctx, customer_id);
  const auto before = ctx.db.policies().find(customer.id, product);
  if (!before || !ctx.db.policies().remove(customer.id, product)) throw not_found("policy");
  ctx.audit("policy.delete", object_of(customer.id, product), customer.scope(), before->text, "");
}

json::value customer_policy_json(const CustomerPolicy& policy) {
  auto out = site_policy_json(policy.policy);
  auto& o = out.as_object();
  o["customer"] = policy.customer_id;
  o["updated"] = policy.updated_at_ms / 1000;
  return out;
}

}  // namespace lmp::domain
