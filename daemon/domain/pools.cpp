// Drawing from and returning to partner pools.
#include "domain/pools.hpp"

#include "domain/domain_error.hpp"

namespace lmp::domain {

void draw_from_pool(UnitOfWork& db, const Account* account, const std::string& product,
                    std::int64_t units) {
  if (account == nullptr || account->is_parent()) return;
  if (!db.pools().change_drawn(account->id, product, units)) {
    auto pool = db.pools().find(account->id, product);
    const std::int64_t left = pool ? pool->assigned - pool->drawn : 0;
    throw DomainError(ErrorCode::pool_exhausted, "the pool of account " +
                                                     std::to_string(account->id) + " has " +
                                                     std::to_string(left) + " units of " + product +
                                                     " left, " + std::to_string(units) + " asked");
  }
}

void return_to_pool(UnitOfWork& db, const Account& account, const std::string& product,
                    std::int64_t units) {
  if (account.is_parent()) return;
  db.pools().change_drawn(account.id, product, -units);
}

}  // namespace lmp::domain
