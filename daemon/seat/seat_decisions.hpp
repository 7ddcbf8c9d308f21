// The rules of the five seat operations: what a CHECKOUT, HEARTBEAT, CHECKIN, ACTIVATE or STATUS
// answers, decided against a store inside its open transaction, the product catalog and one
// moment `now`. No threads, no queue, no clock: the batch pipeline (seat_service.cpp) makes one
// SeatDecisions per batch, and tests make one on any store and any time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/env.hpp"
#include "domain/product_lifecycle.hpp"
#include "seat/product_catalog.hpp"
#include "seat/seat_command.hpp"
#include "seat/seat_rules.hpp"
#include "storage/seat_store.hpp"

namespace lmp::seat {

// What the wait queue needs to know about a refused checkout.
struct CheckoutDetails {
  std::int64_t license_id = 0;  // the license the code found; 0 when none
  // The family refused for want of free units: a checkout with `wait` may queue for one.
  bool out_of_units = false;
};

// Thread safety: one thread, inside one transaction of `store` (REQUIRES store.begin() before the
// first decision; the caller commits). Every argument must outlive the object; lease ids are
// drawn from `env`'s random bytes. Plugin failures
// answer `internal`; storage::StoreError propagates (the caller rolls the transaction back).
class SeatDecisions {
 public:
  SeatDecisions(storage::SeatStore& store, const ProductCatalog& catalog, std::int64_t now_ms,
                const std::vector<std::shared_ptr<CheckoutGate>>& gates, LeaseEvents& events,
                Env& env);

  SeatResult checkout(const SeatCommand& command, CheckoutDetails& details);
  SeatResult heartbeat(const SeatCommand& command);
  SeatResult checkin(const SeatCommand& command);
  SeatResult activate(const SeatCommand& command);
  SeatResult status(const SeatCommand& command);

  // The product of the license or lease the last decision reached (the metrics' label); empty
  // when it reached none.
  const std::string& product() const { return product_; }
  std::int64_t now_ms() const { return now_ms_; }

 private:
  SeatResult decide_checkout(const SeatCommand& command, CheckoutDetails& details);
  // Finds the license of `code` and its product. `product` may name the license's own product
  // or, for a suite, one of its components, which is then returned in `component_out`.
  SeatResult find_license(const std::string& code, const std::string& product,
                          storage::LicenseRecord& license, const CatalogProduct*& product_out,
                          const CatalogProduct** component_out = nullptr);
  // The product's lifecycle now: the catalog's dates and the API's together.
  domain::ProductLifecycle lifecycle(const CatalogProduct& product);

  storage::SeatStore& store_;
  const ProductCatalog& catalog_;
  const std::int64_t now_ms_;
  const std::vector<std::shared_ptr<CheckoutGate>>& gates_;
  LeaseEvents& events_;
  Env& env_;
  // The API's lifecycle rows, read once when a decision first needs them.
  std::optional<std::vector<storage::StoredLifecycle>> lifecycles_;
  std::string product_;
};

}  // namespace lmp::seat
