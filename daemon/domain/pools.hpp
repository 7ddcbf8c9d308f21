// Partner pools: the parent (or an account with assign_license_pools) assigns a partner below it
// units of a product; this is the one place where the partner's keys and licenses draw from that
// pool and give units back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <vector>

#include "domain/account.hpp"
#include "domain/context.hpp"
#include "domain/partner_pool.hpp"
#include "domain/unit_of_work.hpp"

namespace lmp::domain {

// Takes `units` of `product` from the pool of `account` (the account that sells them) inside the
// caller's transaction; the parent account has no pool limit, and neither has the local
// operator before the first run (no account). Throws DomainError pool_exhausted and takes
// nothing when the pool would be crossed (or the partner has no pool for the product).
// Concurrent draws are safe: the check and the change are one conditional update.
void draw_from_pool(UnitOfWork& db, const Account* account, const std::string& product,
                    std::int64_t units);
// Gives `units` back to the pool they were drawn from (a voided key).
void return_to_pool(UnitOfWork& db, const Account& account, const std::string& product,
                    std::int64_t units);

struct AssignPool {
  std::int64_t partner_id = 0;
  std::string product;
  std::optional<std::int64_t> units;
};

// Needs assign_license_pools and a partner strictly below the caller; never below what the
// partner's keys and licenses already hold (pool_below_drawn).
PartnerPool assign_pool(const Context& ctx, const AssignPool& request);
// The pools of a partner below the caller (with assign_license_pools), or of the caller's own
// account: a partner may always read what it has been given.
std::vector<PartnerPool> list_pools(const Context& ctx, std::int64_t account_id);

}  // namespace lmp::domain
