// The customer operations: create one (under the parent or a partner), list and read them, find
// one by name (`lmpd admin`), enable or disable it with its licenses' cut-off, rename it, and
// delete one that holds no licenses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/context.hpp"
#include "domain/customer.hpp"
#include "domain/page.hpp"

namespace lmp::domain {

struct CreateCustomer {
  std::optional<std::string> name;
  std::optional<std::int64_t> account_id;  // the account it goes under; default: the caller's
};

struct CustomerDetail {
  Customer customer;
  std::int64_t licenses = 0;
};

struct SetCustomerStatus {
  std::int64_t id = 0;
  std::optional<std::string> status;  // "enabled" or "disabled"
};

// Needs create_customers; refuses an account that is not active, or one below such an account
// (account_not_active), and a name taken anywhere in the tree (name_taken).
Customer create_customer(const Context& ctx, const CreateCustomer& request);
// The customers of the caller's subtree (needs view_customers); a customer's user sees its own.
std::vector<Customer> list_customers(const Context& ctx, Page page);
CustomerDetail get_customer(const Context& ctx, std::int64_t id);
// The customer named `name` if the caller sees it (needs view_customers).
std::optional<Customer> find_customer_named(const Context& ctx, const std::string& name);
// A customer the caller may see: a customer's user sees its own and nothing else (not_found); an
// account's user sees those of its subtree with `permission` (forbidden without, not_found
// outside).
Customer visible_customer(const Context& ctx, std::int64_t id, std::string_view permission);
// Needs modify_customers. Disabling ends every license of the customer now (without touching
// their dates); enabling restores them, except below a canceled partner (partner_canceled).
Customer set_customer_status(const Context& ctx, const SetCustomerStatus& request);

struct RenameCustomer {
  std::int64_t id = 0;
  std::optional<std::string> name;
};
// Needs modify_customers (a customer's own user may not); a name taken anywhere in the tree is
// name_taken.
Customer rename_customer(const Context& ctx, const RenameCustomer& request);

// Needs modify_customers (a customer's own user may not). Refused with customer_in_use while the
// customer holds any license: a license is what was sold and what its usage records, so it is
// never deleted as a side effect; licenses go at their product's End of Life, and disabling the
// customer ends them now. Deletes the customer with its users and their tokens, its site
// policies and its webhooks; the registration keys it redeemed forget it. Audited with the
// customer and what went with it.
void delete_customer(const Context& ctx, std::int64_t id);

}  // namespace lmp::domain
