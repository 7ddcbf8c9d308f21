// The End-of-Life deletion and its sweep. Exactly once: the claim on the product's lifecycle row
// is a conditional UPDATE in the deleting transaction itself, so of several sweeps (threads or
// instances sharing a database) one deletes and the others find the mark.
#include "domain/end_of_life_sweep.hpp"

#include <boost/json/object.hpp>
#include <set>

#include "core/log.hpp"
#include "domain/domain_json.hpp"
#include "domain/keys.hpp"
#include "domain/product_lifecycle.hpp"
#include "domain/store_error.hpp"

namespace lmp::domain {

std::optional<EndOfLifeDeletion> delete_product_data_once(const Context& ctx,
                                                          const std::string& code,
                                                          DeletionRun run) {
  if (!ctx.db.lifecycles().claim_deletion(code, ctx.now_ms)) return std::nullopt;
  auto deleted = ctx.db.lifecycles().delete_product_data(code, ctx.now_ms);
  // A key of the product can never be redeemed now: it is voided, so its issuer's pool no longer
  // counts its units as drawn (a redeemed key's units stay drawn: they were sold).
  const std::int64_t keys_voided = void_keys_of_ended_product(ctx, code);
  deleted.keys_voided = keys_voided;
  const boost::json::object after{{"product", code},
                                  {"data_deleted", ctx.now_ms / 1000},
                                  {"licenses", deleted.licenses},
                                  {"activations", deleted.activations},
                                  {"leases", deleted.leases},
                                  {"keys_voided", keys_voided}};
  // A product concerns the whole tree: the record is the root's.
  auto root = ctx.db.accounts().root();
  ctx.audit("product.data_deleted", "product:" + code, root ? root->path : "/", {}, to_text(after));
  if (run == DeletionRun::dry) return deleted;
  log::info("end_of_life_data_deleted", {{"product", code},
                                         {"licenses", std::to_string(deleted.licenses)},
                                         {"activations", std::to_string(deleted.activations)},
                                         {"leases", std::to_string(deleted.leases)},
                                         {"keys_voided", std::to_string(keys_voided)}});
  return deleted;
}

std::vector<std::string> end_of_life_due(const Context& ctx) {
  const auto rows = ctx.db.lifecycles().all();
  std::set<std::string> codes;
  for (const auto& product : ctx.products.all()) codes.insert(product.code);
  for (const auto& row : rows) codes.insert(row.product_code);
  std::vector<std::string> due;
  for (const auto& code : codes) {
    auto lifecycle = product_lifecycle(rows, ctx.products, code, ctx.now_ms);
    if (lifecycle.end_of_life() && !lifecycle.data_deleted_at_ms) due.push_back(code);
  }
  return due;
}

int sweep_end_of_life(UnitOfWork& db, const Products& products, std::int64_t now_ms) {
  const Caller server = Caller::server();
  const Context ctx{db, server, now_ms, products};
  try {
    std::vector<std::string> due;
    {
      Transaction read(db, TransactionMode::read);
      due = end_of_life_due(ctx);
      read.commit();
    }
    if (due.empty()) return 0;
    int deleted = 0;
    Transaction write(db, TransactionMode::write);
    for (const auto& code : due)
      if (delete_product_data_once(ctx, code)) ++deleted;
    write.commit();
    return deleted;
  } catch (const StoreError& ex) {
    log::error("end_of_life_sweep_failed", {{"error", ex.what()}});
    return 0;
  }
}

}  // namespace lmp::domain
