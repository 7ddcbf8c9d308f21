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
// Both refuse a policy that came from the policy file (policy_from_file, naming the file).
void delete_customer_policy(const Context& ctx, std::int64_t customer_id,
                            const std::string& product);

// A policy of the site's policy file, for the customer with this id, or this name when it is
// not empty.
struct FilePolicy {
  std::int64_t customer_id = 0;
  std::string customer_name;
  SitePolicy policy;
};
// A problem of the file's policy at `index`, at its JSON path inside that policy.
struct FilePolicyProblem {
  std::size_t index = 0;
  PolicyProblem problem;
};
// Makes the stored policies that came from policy files exactly `policies`, from `source` (the
// file's path), as the server: each replaces the customer's policy for its product (the file
// wins over one set through the API), and those of files no longer in it are deleted; each
// change audited. Returns every problem (a customer that does not exist, reservations above a
// license's units, a customer and product twice); then nothing is written and the caller rolls
// back. Policies that did not change are left as they are (no audit record, no new generation).
std::vector<FilePolicyProblem> apply_policy_file(const Context& ctx, const std::string& source,
                                                 const std::vector<FilePolicy>& policies);

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
  // The licenses a max and reserve count over (LicensePool) and their units, when more than
  // this one.
  std::vector<std::int64_t> pool;
  std::int64_t pool_units = 0;
};

// Needs view_customers (a customer's user checks its own). Checks out nothing.
std::vector<PolicyCheck> check_customer_policy(const Context& ctx, std::int64_t customer_id,
                                               const PolicyCheckRequest& request);

boost::json::value customer_policy_json(const CustomerPolicy& policy);
boost::json::value policy_check_json(const PolicyCheck& check);

}  // namespace lmp::domain
