// The site policy operations (domain/site_policies.hpp).
#include "domain/site_policies.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <utility>

#include "domain/customers.hpp"
#include "domain/domain_error.hpp"
#include "domain/domain_json.hpp"
#include "domain/limits.hpp"
#include "domain/permissions.hpp"
#include "domain/request_checks.hpp"

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

// A policy kept in the policy file changes only there (docs/operations.md, "Site policy").
void refuse_file_policy(const std::optional<StoredPolicy>& stored) {
  if (stored && !stored->source.empty())
    throw DomainError(ErrorCode::policy_from_file,
                      "the site policy of customer " + std::to_string(stored->customer_id) +
                          (stored->product.empty() ? std::string(" for all products")
                                                   : " for " + stored->product) +
                          " comes from the policy file " + stored->source +
                          ": change it there and reload lmpd");
}

// The customer's licenses the policy applies to, for the reservation check.
std::vector<PolicyLicense> policy_licenses(const Context& ctx, std::int64_t customer_id,
                                           const std::string& product) {
  LicenseFilter filter;
  filter.customer_id = customer_id;
  filter.product = product;
  std::vector<PolicyLicense> licenses;
  Page page{0, 1000};
  for (;;) {
    auto rows = ctx.db.licenses().list(filter, page);
    // A license that has ended holds no units for anybody; one not started yet will.
    for (const auto& l : rows)
      if (const auto state = l.state_at(ctx.now_ms);
          state != LicenseState::expired && state != LicenseState::disabled)
        licenses.push_back({l.id, l.product_code, l.units});
    if (rows.size() < static_cast<std::size_t>(page.limit)) break;
    page.after = rows.back().id;
  }
  return licenses;
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
  if (parsed.problems.empty())
    parsed.problems =
        check_reservations(parsed.policy, policy_licenses(ctx, customer.id, parsed.policy.product));
  if (!parsed.problems.empty()) {
    const std::string message = "the site policy is refused: " + problems_message(parsed.problems);
    throw DomainError(ErrorCode::bad_request, message, std::move(parsed.problems));
  }

  const auto& product = parsed.policy.product;
  const auto before = ctx.db.policies().find(customer.id, product);
  refuse_file_policy(before);
  StoredPolicy stored{customer.id, product, site_policy_text(parsed.policy), ctx.now_ms, {}};
  ctx.db.policies().set(stored);
  ctx.audit("policy.set", object_of(customer.id, product), customer.scope(), audit_text(before),
            stored.text);
  return {customer.id, std::move(parsed.policy), ctx.now_ms};
}

void delete_customer_policy(const Context& ctx, std::int64_t customer_id,
                            const std::string& product) {
  const auto customer = changeable_customer(ctx, customer_id);
  const auto before = ctx.db.policies().find(customer.id, product);
  refuse_file_policy(before);
  if (!before || !ctx.db.policies().remove(customer.id, product)) throw not_found("policy");
  ctx.audit("policy.delete", object_of(customer.id, product), customer.scope(), before->text, "");
}

std::vector<FilePolicyProblem> apply_policy_file(const Context& ctx, const std::string& source,
                                                 const std::vector<FilePolicy>& policies) {
  std::vector<FilePolicyProblem> problems;
  std::map<std::pair<std::int64_t, std::string>, std::size_t> seen;  // -> index
  std::vector<std::pair<Customer, std::string>> rows;                // by index: customer, text
  for (std::size_t i = 0; i < policies.size(); ++i) {
    const FilePolicy& entry = policies[i];
    const auto customer = entry.customer_name.empty()
                              ? ctx.db.customers().find(entry.customer_id)
                              : ctx.db.customers().find_by_name(entry.customer_name);
    if (!customer) {
      problems.push_back({i,
                          {"customer", "no customer " + (entry.customer_name.empty()
                                                             ? std::to_string(entry.customer_id)
                                                             : "named " + entry.customer_name)}});
      rows.emplace_back(Customer{}, std::string());
      continue;
    }
    const auto [at, fresh] = seen.emplace(std::make_pair(customer->id, entry.policy.product), i);
    if (!fresh)
      problems.push_back(
          {i,
           {"product", "customer " + std::to_string(customer->id) + " has a policy for " +
                           (entry.policy.product.empty() ? std::string("all products")
                                                         : entry.policy.product) +
                           " already, at entry " + std::to_string(at->second)}});
    for (auto& problem :
         check_reservations(entry.policy, policy_licenses(ctx, customer->id, entry.policy.product)))
      problems.push_back({i, std::move(problem)});
    rows.emplace_back(*customer, site_policy_text(entry.policy));
  }
  if (!problems.empty()) return problems;

  for (const auto& stored : ctx.db.policies().list_from_files()) {
    if (seen.count({stored.customer_id, stored.product}) != 0) continue;
    ctx.db.policies().remove(stored.customer_id, stored.product);
    const auto customer = ctx.db.customers().find(stored.customer_id);
    ctx.audit("policy.delete", object_of(stored.customer_id, stored.product),
              customer ? customer->scope() : std::string(), stored.text, "");
  }
  for (std::size_t i = 0; i < policies.size(); ++i) {
    const auto& [customer, text] = rows[i];
    const std::string& product = policies[i].policy.product;
    const auto before = ctx.db.policies().find(customer.id, product);
    if (before && before->text == text && before->source == source) continue;
    ctx.db.policies().set({customer.id, product, text, ctx.now_ms, source});
    ctx.audit("policy.set", object_of(customer.id, product), customer.scope(), audit_text(before),
              text);
  }
  return {};
}

std::vector<PolicyCheck> check_customer_policy(const Context& ctx, std::int64_t customer_id,
                                               const PolicyCheckRequest& request) {
  const auto customer = visible_customer(ctx, customer_id, kViewCustomers);
  const std::string product = required_text("product", request.product);
  const std::int64_t units = count_within("units", request.units, 1, kMaxUnits).value_or(1);
  const std::string user = request.user.value_or("");
  const std::string host = request.host.value_or("");
  const std::string address = request.address.value_or("");
  const PolicyHolder holder{user, host, address};
  if (!holder.address.empty() && !parse_address(holder.address))
    throw bad_request("address must be an IPv4 or IPv6 address");

  std::optional<CustomerPolicy> policy;
  // The product's own policy, else the one for all products: as the seat path chooses.
  for (const std::string& which : {product, std::string()})
    if (!policy)
      if (auto stored = ctx.db.policies().find(customer.id, which)) policy = from_stored(*stored);
  std::optional<CompiledPolicy> compiled;
  if (policy) compiled.emplace(policy->policy);

  // The customer's licenses of the product and their live leases: a max and a reservation
  // count over those that serve together (LicensePool), as the seat path does.
  struct Found {
    License license;
    std::vector<Lease> leases;
  };
  std::vector<Found> found;
  LicenseFilter filter;
  filter.customer_id = customer.id;
  filter.product = product;
  for (auto& license : ctx.db.licenses().list(filter, Page{0, 1000})) {
    Found f{std::move(license), {}};
    LeaseFilter lease_filter;
    lease_filter.license_id = f.license.id;
    for (LeasePage page{"", 1000};;) {
      auto rows = ctx.db.leases().list(lease_filter, page, ctx.now_ms);
      f.leases.insert(f.leases.end(), rows.begin(), rows.end());
      if (rows.size() < static_cast<std::size_t>(page.limit)) break;
      page.after = rows.back().ref;
    }
    found.push_back(std::move(f));
  }
  std::vector<PoolCandidate> candidates;
  for (const auto& f : found)
    candidates.push_back({f.license.id, f.license.units, serves(f.license.state_at(ctx.now_ms))});

  std::vector<PolicyCheck> out;
  for (const auto& f : found) {
    const License& license = f.license;
    PolicyCheck check;
    check.license_id = license.id;
    check.units = license.units;
    for (const auto& lease : f.leases) check.in_use += lease.units;
    const LicensePool pool = license_pool(license.id, license.units, candidates);
    // `held` points into `found`'s leases.
    std::vector<HeldBy> held;
    for (const auto& other : found)
      if (std::find(pool.licenses.begin(), pool.licenses.end(), other.license.id) !=
          pool.licenses.end())
        for (const auto& lease : other.leases)
          held.push_back({{lease.user, lease.host, lease.peer}, lease.units});
    if (pool.licenses.size() > 1) {
      check.pool = pool.licenses;
      check.pool_units = pool.units;
    }
    if (compiled) {
      check.policy = policy->policy.product;
      check.verdict = compiled->judge(holder, units, false, pool.units, held);
    } else {
      check.verdict.reason = "the customer has no site policy for " + product;
    }
    if (check.verdict.outcome == PolicyVerdict::Outcome::allowed &&
        check.in_use + units > license.units) {
      check.verdict.outcome = PolicyVerdict::Outcome::no_seats;
      check.verdict.reason = "the policy allows it, but " + std::to_string(check.in_use) +
                             " of the " + std::to_string(license.units) + " units are in use";
    }
    out.push_back(std::move(check));
  }
  return out;
}

json::value policy_check_json(const PolicyCheck& check) {
  json::object out{{"license", check.license_id}, {"units", check.units},
                   {"in_use", check.in_use},      {"decision", to_string(check.verdict.outcome)},
                   {"rule", check.verdict.rule},  {"reason", check.verdict.reason}};
  out["policy"] = !check.policy           ? json::value("none")
                  : check.policy->empty() ? json::value("all products")
                                          : json::value(*check.policy);
  if (!check.pool.empty()) {
    json::array pool;
    for (const std::int64_t id : check.pool) pool.emplace_back(id);
    out["pool"] = std::move(pool);
    out["pool_units"] = check.pool_units;
  }
  if (check.verdict.outcome == PolicyVerdict::Outcome::over_limit)
    out["limit"] = check.verdict.limit;
  if (check.verdict.outcome == PolicyVerdict::Outcome::no_seats && check.verdict.reserved > 0)
    out["reserved"] = check.verdict.reserved;
  return out;
}

json::value customer_policy_json(const CustomerPolicy& policy) {
  auto out = site_policy_json(policy.policy);
  auto& o = out.as_object();
  o["customer"] = policy.customer_id;
  o["updated"] = policy.updated_at_ms / 1000;
  return out;
}

}  // namespace lmp::domain
