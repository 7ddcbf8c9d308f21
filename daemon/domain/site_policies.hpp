// The site policy operations: read a customer's policies and replace or delete one, validated
// with every problem at its JSON path and audited with before and after.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/context.hpp"
#include "domain/site_policy.hpp"
#include "domain/site_policy_repository.hpp"

namespace boost::json {
class value;
}

namespace lmp::domain {

// A customer's policy as stored: for its product ("" all), its rules, when it last changed.
struct CustomerPolicy {
  std::int64_t customer_id = 0;
  SitePolicy policy;
  std::int64_t updated_at_ms = 0;
};

// The customer's policies, the all-products one first (needs view_customers; a customer's user
// reads its own).
std::vector<CustomerPolicy> customer_policies(const Context& ctx, std::int64_t customer_id);
// Needs modify_customers (a customer's own user may not change its policy). Replaces the policy
// of `body`'s product; bad_request naming every problem at its JSON path (reservations above a
// license's units with the figures), and nothing changes then. Held units stay held: the new
// rules apply from the next checkout.
CustomerPolicy set_customer_policy(const Context& ctx, std::int64_t customer_id,
                                   const boost::json::value& body);
// Needs modify_customers. Deletes the policy of `product` ("" all); not_found when none.
void delete_customer_policy(const Context& ctx, std::int64_t customer_id,
                            const std::string& product);

struct PolicyCheckRequest {
  std::optional<std::string> product;  // required
  std::optional<std::string> user;
  std::optional<std::string> host;
  std::optional<std::string> address;
  std::optional<std::int64_t> units;  // default 1
};

// What a checkout of one of the customer's licenses of the product would get now, and why.
struct PolicyCheck {
  std::int64_t license_id = 0;
  std::int64_t units = 0;             // the license's
  std::int64_t in_use = 0;            // by its live leases
  std::optional<std::string> policy;  // the product of the policy in force ("" all), none
  PolicyVerdict verdict;              // no_seats also when no unit is free
};

// Needs view_customers (a customer's user checks its own). Checks out nothing.
std::vector<PolicyCheck> check_customer_policy(const Context& ctx, std::int64_t customer_id,
                                               const PolicyCheckRequest& request);

boost::json::value customer_policy_json(const CustomerPolicy& policy);
boost::json::value policy_check_json(const PolicyCheck& check);

}  // namespace lmp::domain
