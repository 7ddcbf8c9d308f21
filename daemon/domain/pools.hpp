// Partner pools: the one place where a partner's keys and licenses draw units of a product from
// the pool the parent assigned it, and give them back.
#pragma once

#include <cstdint>
#include <string>

#include "domain/account.hpp"
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

}  // namespace lmp::domain
