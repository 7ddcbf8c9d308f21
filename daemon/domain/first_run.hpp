// The first-run step (`lmpd admin init`): creates the parent (Tier-1) account and its first
// admin user, and hands back that user's first bearer token, which is shown once only.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "domain/account.hpp"
#include "domain/unit_of_work.hpp"
#include "domain/user.hpp"

namespace lmp::domain {

// The database already has a parent account: a second init would create a second tree root.
class AlreadyInitialised : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FirstRun {
  Account parent;
  User admin;
  std::string token;  // the only copy: the database keeps its hash
};

// One transaction: the account, the user, the token, customers created before it moved under
// the parent, and the audit record. Throws AlreadyInitialised, or StoreError.
FirstRun initialise(UnitOfWork& db, const std::string& account_name, const std::string& user_name,
                    std::int64_t now_ms);

}  // namespace lmp::domain
