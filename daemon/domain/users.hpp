// The user and token operations: who the caller is (GET /v1/me), create a user with its first
// token, list the users of the caller's own account or customer, issue another token, revoke
// one. Tokens are shown once.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "domain/context.hpp"
#include "domain/credentials.hpp"
#include "domain/customer.hpp"
#include "domain/page.hpp"
#include "domain/partners.hpp"
#include "domain/user.hpp"

namespace lmp::domain {

struct Me {
  User user;
  std::int64_t token_id = 0;
  std::optional<AccountView> account;  // the caller's account, or
  std::optional<Customer> customer;    // its customer
  std::set<std::string> permissions;
  bool read_only = false;
};

Me describe_me(const Context& ctx);

}  // namespace lmp::domain
