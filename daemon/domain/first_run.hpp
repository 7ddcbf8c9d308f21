// The first-run step (`lmpd admin init`): creates the parent (Tier-1) account and its first
// admin user, and hands back that user's first bearer token, which is shown once only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/account.hpp"
#include "domain/credentials.hpp"
#include "domain/unit_of_work.hpp"
#include "domain/user.hpp"

namespace lmp::domain {

struct FirstRun {
  Account parent;
  User admin;
  std::string token;  // the only copy: the database keeps its hash
  std::optional<std::int64_t> token_expires_at_ms;
};

// One write transaction of its own, by the local operator: the account, the user, the token,
// customers created before it moved under the parent, and the audit record. Throws DomainError
// already_initialised when a parent account exists (a second init would make a second root),
// StoreError when the database fails.
// The token expires as `token_expiry` says (domain/credentials.hpp).
FirstRun initialise(UnitOfWork& db, const std::string& account_name, const std::string& user_name,
                    std::int64_t now_ms, const TokenExpiry& token_expiry = {});

}  // namespace lmp::domain
