// The End-of-Life deletion and its sweep. Exactly once: the claim on the product's lifecycle row
// is a conditional UPDATE in the deleting transaction itself, so of several sweeps (threads or
// instances sharing a database) one deletes and the others find the mark.
#include "domain/end_of_life_sweep.hpp"

#include <boost/json/object.hpp>
#include <set>

#include "core/log.hpp"
#include "domain/domain_json.hpp"
#include "domain/product_lifecycle.hpp"
#include "domain/store_error.hpp"

namespace lmp::domain {

std::optional<EndOfLifeDeletion> delete_product_data_once(UnitOfWork& db, const std::string& code,
                                                          std::int64_t now_ms, AuditRecord actor) {
  if (!db.lifecycles().claim_deletion(code, now_ms)) return std::nullopt;
  const auto deleted = db.lifecycles().delete_product_data(code);
  boost::json::object after;
  after["product"] = code;
  after["data_deleted"] = now_ms / 1000;
  after["licenses"] = deleted.licenses;
  after["activations"] = deleted.activations;
  after["leases"] = deleted.leases;
  auto root = db.accounts().root();
  actor.at_ms = now_ms;
  actor.scope = root ? root->path : "/";
  actor.action = "product.data_deleted";
  actor.object = "product:" + code;
  actor.before_json.clear();
  actor.after_json = to_text(after);
  db.audit().append(actor);
  log::info("end_of_life_data_deleted", {{"product", code},
                                         {"licenses", std::to_string(deleted.licenses)},
                                         {"activations", std::to_string(deleted.activations)},
                                         {"leases", std::to_string(deleted.leases)}});
  return deleted;
}

std::vector<std::string> end_of_life_due(UnitOfWork& db, const Products& products,
                                         std::int64_t now_ms) {
  const auto rows = db.lifecycles().all();
  std::set<std::string> codes;
  for (const auto& product : products.all()) codes.insert(product.code);
  for (const auto& row : rows) codes.insert(row.product_code);
  std::vector<std::string> due;
  for (const auto& code : codes) {
    auto lifecycle = product_lifecycle(rows, products, code, now_ms);
    if (lifecycle.end_of_life() && !lifecycle.data_deleted_at_ms) due.push_back(code);
  }
  return due;
}

int sweep_end_of_life(UnitOfWork& db, const Products& products, std::int64_t now_ms) {
  try {
    std::vector<std::string> due;
    {
      Transaction read(db, TransactionMode::read);
      due = end_of_life_due(db, products, now_ms);
      read.commit();
    }
    if (due.empty()) return 0;
    int deleted = 0;
    Transaction write(db, TransactionMode::write);
    // The server itself acts here, as "cli" names the command line's changes.
    AuditRecord actor;
    actor.actor_scope = "server";
    for (const auto& code : due)
      if (delete_product_data_once(db, code, now_ms, actor)) ++deleted;
    write.commit();
    return deleted;
  } catch (const StoreError& ex) {
    log::error("end_of_life_sweep_failed", {{"error", ex.what()}});
    return 0;
  }
}

}  // namespace lmp::domain
