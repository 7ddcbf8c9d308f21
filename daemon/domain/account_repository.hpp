// The accounts of the tree and the permissions of partners, as the domain reads and writes them
// (a port: storage implements it). Every method REQUIRES the unit of work's open transaction and
// throws StoreError (domain/store_error.hpp) when the database fails.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "domain/account.hpp"
#include "domain/page.hpp"

namespace lmp::domain {

class AccountRepository {
 public:
  virtual ~AccountRepository() = default;

  virtual std::optional<Account> root() = 0;
  virtual std::optional<Account> find(std::int64_t id) = 0;
  // Every account whose path is a prefix of `path` (the account itself and its ancestors).
  virtual std::vector<Account> on_path(const std::string& path) = 0;
  // A new active account under `parent` (none: the parent account itself). DuplicateError when
  // the name is taken.
  virtual Account create(AccountKind kind, const std::string& name, const Account* parent,
                         std::int64_t now_ms) = 0;
  // The accounts strictly below the one with path `path`.
  virtual std::vector<Account> list_below(const std::string& path, Page page) = 0;
  virtual void set_status(std::int64_t id, AccountStatus status, std::int64_t now_ms) = 0;
  virtual std::set<std::string> permissions(std::int64_t account_id) = 0;
  virtual void set_permissions(std::int64_t account_id, const std::set<std::string>& names) = 0;
};

}  // namespace lmp::domain
