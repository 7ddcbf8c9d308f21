// The rules of the five seat operations: what a CHECKOUT, HEARTBEAT, CHECKIN, ACTIVATE or STATUS
// answers, decided against a store inside its open transaction, the product catalog and one
// moment `now` (with the time licenses are judged at beside it: clock_marks.hpp). No threads, no
// queue, no clock: the batch pipeline (seat_service.cpp) makes one SeatDecisions per batch, and
// tests make one on any store and any time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ed25519.hpp"
#include "core/env.hpp"
#include "domain/product_lifecycle.hpp"
#include "seat/product_catalog.hpp"
#include "seat/seat_command.hpp"
#include "seat/seat_rules.hpp"
#include "storage/seat_store.hpp"

namespace lmp::seat {

// What the wait queue needs to know about a refused checkout.
struct CheckoutDetails {
  std::int64_t license_id = 0;  // the license the code found (refused or not); 0 when none
  // Refused for want of free units (by the family, or because they are held for checkouts
  // queued before), though the request fits the license: a checkout with `wait` may queue.
  bool out_of_units = false;
  // Refused by a gate's limit that units freed later may lift (a site policy's max, or units
  // reserved for others): a checkout with `wait` may queue, and waits without holding units
  // back from the checkouts behind it, which may take them.
  bool held_back = false;
};

// The units that checkouts queued earlier wait for, by license. A new checkout must leave them,
// so that the queue is served first come first served (docs/protocol.md, "Waiting").
class QueuedUnits {
 public:
  virtual ~QueuedUnits() = default;
  virtual std::int64_t queued_units(std::int64_t license_id) const = 0;
};

// Thread safety: one thread, inside one transaction of `store` (REQUIRES store.begin() before the
// first decision; the caller calls write_clock_marks() and commits). Every argument must outlive
// the object; lease ids and references are drawn from `env`'s random bytes, and new leases name
// `instance` as the one that granted them. Plugin failures answer `internal`;
// storage::StoreError propagates (the caller rolls the transaction back).
class SeatDecisions {
 public:
  // `now_ms`: the wall clock, which leases are measured on. `license_now_ms`: the time licenses
  // are judged at, never before their own marks (the server's mark, ServerClockMark); by
  // default `now_ms`. `linger`: how long a checked-in lease stays with its holder (nullptr:
  // none).
  SeatDecisions(storage::SeatStore& store, const ProductCatalog& catalog, std::int64_t now_ms,
                const std::vector<std::shared_ptr<CheckoutGate>>& gates, LeaseEvents& events,
                Env& env, std::string_view instance = {},
                std::optional<std::int64_t> license_now_ms = std::nullopt,
                CheckinLinger* linger = nullptr);

  // `ahead`: the checkouts queued before this one (nullptr: none, as for the queue's head).
  SeatResult checkout(const SeatCommand& command, CheckoutDetails& details,
                      const QueuedUnits* ahead = nullptr);
  SeatResult heartbeat(const SeatCommand& command);
  SeatResult checkin(const SeatCommand& command);
  SeatResult activate(const SeatCommand& command);
  SeatResult status(const SeatCommand& command);
  // An administrator's release (command.release): lease_unknown when the lease is no longer
  // live, or is another license's.
  SeatResult release(const SeatCommand& command);

  // The product of the license or lease the last decision reached (the metrics' label); empty
  // when it reached none.
  const std::string& product() const { return product_; }
  std::int64_t now_ms() const { return now_ms_; }

  // Writes the marks of the licenses these decisions judged whose marks are due
  // (clock_mark_due), in license order. REQUIRES: after the last decision, before the commit.
  void write_clock_marks();

 private:
  // The time `license` is judged at; notes its mark to be written when that is due.
  std::int64_t judged_at(const storage::LicenseRecord& license);
  SeatResult decide_checkout(const SeatCommand& command, CheckoutDetails& details,
                             const QueuedUnits* ahead);
  // Finds the license of `code` and its product. `product` may name the license's own product
  // or, for a suite, one of its components, which is then returned in `component_out`.
  SeatResult find_license(const std::string& code, const std::string& product,
                          storage::LicenseRecord& license, const CatalogProduct*& product_out,
                          const CatalogProduct** component_out = nullptr);
  // The product's lifecycle now: the catalog's dates and the API's together.
  domain::ProductLifecycle lifecycle(const CatalogProduct& product);
  // Why licenses of this product cannot be borrowed (permanent allocations), or a license past
  // its expiry (in grace) cannot; OK otherwise.
  SeatResult borrowable(const storage::LicenseRecord& license, const CatalogProduct& product,
                        const CatalogProduct* component);
  // The answer to a borrow granted as `lease`, with its token signed by `signer`, the active
  // signing key `kid` (noted as signed in this transaction).
  SeatResult borrowed(const storage::LeaseRecord& lease, const CatalogProduct& product,
                      const std::string& kid, const Ed25519Key& signer);
  // The answer to a lease id that names no live lease: lease_revoked while its release is
  // remembered, lease_unknown otherwise.
  SeatResult no_lease(const std::string& id);
  // The answer to a lease id whose lease is past its expiry or lingering after its checkin.
  SeatResult checked_in(const storage::LeaseRecord& lease);

  storage::SeatStore& store_;
  const ProductCatalog& catalog_;
  const std::int64_t now_ms_;
  const std::int64_t license_now_ms_;
  const std::vector<std::shared_ptr<CheckoutGate>>& gates_;
  CheckinLinger* const linger_;
  LeaseEvents& events_;
  Env& env_;
  const std::string_view instance_;
  // The API's lifecycle rows, read once when a decision first needs them.
  std::optional<std::vector<storage::StoredLifecycle>> lifecycles_;
  std::string product_;
  std::map<std::int64_t, std::int64_t> due_marks_;  // license id -> mark to write
};

}  // namespace lmp::seat
