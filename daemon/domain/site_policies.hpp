// The site policy operations: read a customer's policies and replace or delete one, validated
// with every problem at its JSON path and audited with before and after.
#pragma once

#include <cstdint>
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

boost::json::value customer_policy_json(const CustomerPolicy& policy);

}  // namespace lmp::domain
