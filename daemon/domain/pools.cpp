// Drawing from and returning to partner pools.
#include "domain/pools.hpp"

#include <boost/json/object.hpp>

#include "domain/domain_error.hpp"
#include "domain/domain_json.hpp"
#include "domain/limits.hpp"
#include "domain/permissions.hpp"
#include "domain/product_sales.hpp"
#include "domain/request_checks.hpp"

namespace lmp::domain {
namespace {

// A partner strictly below the caller (its own account is not below it: not_found).
Account partner_below(const Context& ctx, std::int64_t id) {
  auto account = ctx.db.accounts().find(id);
  if (!account || !ctx.caller.account || account->id == ctx.caller.account->id ||
      !ctx.caller.sees(account->path))
    throw not_found("partner");
  return *account;
}

}  // namespace

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

PartnerPool assign_pool(const Context& ctx, const AssignPool& request) {
  ctx.require(kAssignLicensePools);
  const auto partner = partner_below(ctx, request.partner_id);
  SaleState state{};
  const auto& product = configured_product(ctx, request.product, state);
  const auto units =
      required(count_within("units", request.units, 0, kMaxPoolUnits), "units is required");
  auto before = ctx.db.pools().find(partner.id, product.code);
  if (before && units < before->drawn)
    throw DomainError(ErrorCode::pool_below_drawn, "the partner's keys already hold " +
                                                       std::to_string(before->drawn) + " units");
  ctx.db.pools().set(partner.id, product.code, units);
  auto after = *ctx.db.pools().find(partner.id, product.code);
  ctx.audit("pool.assign", "pool:" + std::to_string(partner.id) + ":" + product.code, partner.path,
            before ? to_text(pool_json(*before)) : std::string(), to_text(pool_json(after)));
  return after;
}

std::vector<PartnerPool> list_pools(const Context& ctx, std::int64_t account_id) {
  if (ctx.caller.customer) ctx.require(kAssignLicensePools);
  if (!ctx.caller.account || account_id != ctx.caller.account->id) {
    ctx.require(kAssignLicensePools);
    return ctx.db.pools().list(partner_below(ctx, account_id).id);
  }
  return ctx.db.pools().list(account_id);
}

}  // namespace lmp::domain
