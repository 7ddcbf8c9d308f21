// The customer accounts (a port: storage implements it). Every method REQUIRES the unit of
// work's open transaction and throws StoreError when the database fails.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/account.hpp"
#include "domain/customer.hpp"
#include "domain/page.hpp"

namespace lmp::domain {

class CustomerRepository {
 public:
  virtual ~CustomerRepository() = default;

  virtual std::optional<Customer> find(std::int64_t id) = 0;
  virtual std::optional<Customer> find_by_name(const std::string& name) = 0;
  // An enabled customer under `owner`; without one under the parent account (before the first
  // run: under none until the first run adopts it, its scope "/c<id>/"). DuplicateError when the
  // name is taken.
  virtual Customer create(const std::string& name, const Account* owner, std::int64_t now_ms) = 0;
  // The customers of every account in the subtree of `path`.
  virtual std::vector<Customer> list_under(const std::string& path, Page page) = 0;
  virtual void set_status(std::int64_t id, CustomerStatus status, std::int64_t now_ms) = 0;
  // DuplicateError when the name is taken.
  virtual void rename(std::int64_t id, const std::string& name) = 0;
  // Deletes the customer with its users and their tokens; the registration keys it redeemed
  // forget it (their licenses are gone already). REQUIRES: it holds no license and no site
  // policy (domain/customers.cpp removes those first, moving the policy generation).
  virtual void remove(std::int64_t id) = 0;
  // Customers created before the parent account are put under it.
  virtual void adopt_orphans(std::int64_t parent_id) = 0;
};

}  // namespace lmp::domain
