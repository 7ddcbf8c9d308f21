// The End-of-Life deletion and its sweep. Exactly once: the claim on the product's lifecycle row
// is a conditional UPDATE in the deleting transaction itself, so of several sweeps (threads or
// instances sharing a database) one deletes and the others find the mark.
#include "domain/end_of_life_sweep.hpp"

#include <boost/json/object.hpp>
#include <set>

#include "core/log.hpp"
#include "domain/domain_json.hpp"
#include "domain/product_lifecycle.hpp"

namespace lmp::domain {

std::optional<storage::EndOfLifeDeletion> delete_product_data_once(storage::DomainStore& store,
                                                                   const std::string& code,
                                                                   std::int64_t now_ms,
                                                                   storage::AuditRecord actor) {
  if (!store.claim_end_of_life_deletion(code, now_ms)) return std::nullopt;
  const auto deleted = store.delete_product_data(code);
  boost::json::object after;
  after["product"] = code;
  after["data_deleted"] = now_ms / 1000;
  after["licenses"] = deleted.licenses;
  after["activations"] = deleted.activations;
  after["leases"] = deleted.leases;
  auto root = store.root_account();
  actor.at_ms = now_ms;
  actor.scope = root ? root->path : "/";
  actor.action = "product.data_deleted";
  actor.object = "product:" + code;
  actor.before_json.clear();
  actor.after_json = to_text(after);
  store.append_audit(actor);
  log::info("end_of_life_data_deleted", {{"product", code},
                                         {"licenses", std::to_string(deleted.licenses)},
                                         {"activations", std::to_string(deleted.activations)},
                                         {"leases", std::to_string(deleted.leases)}});
  return deleted;
}

std::vector<std::string> end_of_life_due(storage::DomainStore& store, const Products& products,
                                         std::int64_t now_ms) {
  const auto rows = store.product_lifecycles();
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

int sweep_end_of_life(storage::DomainStore& store, const Products& products, std::int64_t now_ms) {
  try {
    store.begin_read();
    std::vector<std::string> due;
    try {
      due = end_of_life_due(store, products, now_ms);
      store.commit();
    } catch (...) {
      store.rollback();
      throw;
    }
    if (due.empty()) return 0;
    int deleted = 0;
    store.begin();
    try {
      // The server itself acts here, as "cli" names the command line's changes.
      storage::AuditRecord actor;
      actor.actor_scope = "server";
      for (const auto& code : due)
        if (delete_product_data_once(store, code, now_ms, actor)) ++deleted;
      store.commit();
    } catch (...) {
      store.rollback();
      throw;
    }
    return deleted;
  } catch (const storage::StoreError& ex) {
    log::error("end_of_life_sweep_failed", {{"error", ex.what()}});
    return 0;
  }
}

}  // namespace lmp::domain
