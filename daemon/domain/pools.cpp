// Drawing from and returning to partner pools.
#include "domain/pools.hpp"

namespace lmp::domain {

void draw_from_pool(storage::DomainStore& store, const storage::Account& account,
                    const std::string& product, std::int64_t units) {
  if (!account.parent_id) return;
  if (!store.change_drawn(account.id, product, units)) {
    auto pool = store.find_pool(account.id, product);
    const std::int64_t left = pool ? pool->assigned - pool->drawn : 0;
    throw PoolExhausted("the pool of account " + std::to_string(account.id) + " has " +
                        std::to_string(left) + " units of " + product + " left, " +
                        std::to_string(units) + " asked");
  }
}

void return_to_pool(storage::DomainStore& store, const storage::Account& account,
                    const std::string& product, std::int64_t units) {
  if (!account.parent_id) return;
  store.change_drawn(account.id, product, -units);
}

}  // namespace lmp::domain
