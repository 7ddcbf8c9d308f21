// The product operations and their rules.
#include "domain/products.hpp"

#include <boost/json/object.hpp>

#include "domain/domain_error.hpp"
#include "domain/domain_json.hpp"
#include "domain/end_of_life_sweep.hpp"
#include "domain/product_sales.hpp"
#include "domain/request_checks.hpp"

namespace lmp::domain {
namespace {

const Product& configured(const Context& ctx, const std::string& code) {
  const Product* product = ctx.products.find(code);
  if (product == nullptr) throw unknown_product(code);
  return *product;
}

}  // namespace

std::vector<ProductView> list_products(const Context& ctx) {
  std::vector<ProductView> out;
  for (const auto& product : ctx.products.all())
    out.push_back({product, ctx.lifecycle(product.code)});
  return out;
}

ProductView get_product(const Context& ctx, const std::string& code) {
  const auto& product = configured(ctx, code);
  return {product, ctx.lifecycle(code)};
}

namespace {

// set_product_lifecycle, also for a dry run; `deleted`: what a date now or past deleted.
ProductView change_lifecycle(const Context& ctx, const SetProductLifecycle& request,
                             DeletionRun run, std::optional<EndOfLifeDeletion>& deleted) {
  if (!ctx.caller.is_parent())
    throw forbidden("only the parent account sets a product's lifecycle");
  const auto& product = configured(ctx, request.code);
  const std::string& code = product.code;
  const std::int64_t at_ms = time_within("at", request.at_ms).value_or(ctx.now_ms);
  const auto before = ctx.lifecycle(code);
  if (before.end_of_life())
    throw DomainError(ErrorCode::end_of_life, "product " + code + " has reached End of Life");
  const bool end_of_life = request.date == LifecycleDate::end_of_life;
  if (end_of_life)
    ctx.db.lifecycles().set_end_of_life(code, at_ms);
  else
    ctx.db.lifecycles().set_end_of_sale(code, at_ms);
  auto after = ctx.lifecycle(code);
  ctx.audit(end_of_life ? "product.end_of_life" : "product.end_of_sale", "product:" + code,
            ctx.caller.scope, to_text(product_json(product, before)),
            to_text(product_json(product, after)));
  // A date now or past takes the data with it in this same transaction; a later one is the
  // sweep's (domain/end_of_life_sweep.hpp).
  if (after.end_of_life()) {
    deleted = delete_product_data_once(ctx, code, run);
    after = ctx.lifecycle(code);
  }
  return {product, after};
}

}  // namespace

ProductView set_product_lifecycle(const Context& ctx, const SetProductLifecycle& request) {
  std::optional<EndOfLifeDeletion> deleted;
  return change_lifecycle(ctx, request, DeletionRun::real, deleted);
}

EndOfLifeDryRun dry_run_end_of_life(const Context& ctx, const std::string& code) {
  EndOfLifeDryRun out{get_product(ctx, code), {}};
  std::optional<EndOfLifeDeletion> deleted;
  change_lifecycle(ctx, {code, LifecycleDate::end_of_life, ctx.now_ms}, DeletionRun::dry, deleted);
  // A product whose End of Life was set for a later date has data a real run now deletes; one
  // whose data is gone already refused above (end_of_life).
  if (deleted) out.would_delete = *deleted;
  return out;
}

}  // namespace lmp::domain
