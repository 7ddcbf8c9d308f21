// The seat operations' rules: license lookup, validity, End of Life, suites, the family's
// decision and the server's re-check of it, leases written and extended.
#include "seat/seat_decisions.hpp"

#include <algorithm>
#include <exception>

#include "core/activation_code.hpp"
#include "core/calendar.hpp"
#include "core/log.hpp"
#include "core/secure_random.hpp"
#include "core/sha256.hpp"
#include "domain/borrow_token.hpp"
#include "domain/license_state.hpp"
#include "domain/product_lifecycle.hpp"
#include "seat/clock_marks.hpp"

namespace lmp::seat {
using domain::license_state;
using domain::LicenseState;

namespace {

// Thrown by guarded() after a plugin call failed; the request answers `internal`.
struct PluginFailure {};

template <class F>
auto guarded(const CatalogProduct& product, const char* call, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& ex) {
    log::error("plugin_exception", {{"family", product.info.family},
                                    {"product", product.info.code},
                                    {"call", call},
                                    {"error", ex.what()}});
  } catch (...) {
    log::error("plugin_exception", {{"family", product.info.family},
                                    {"product", product.info.code},
                                    {"call", call},
                                    {"error", "non-standard exception"}});
  }
  throw PluginFailure{};
}

std::int64_t seconds(std::int64_t unix_ms) {
  return unix_ms / 1000;
}

domain::LicenseDates dates_of(const storage::LicenseRecord& license) {
  return {license.starts_at_ms, license.expires_at_ms, license.grace_ms, license.notice_days,
          license.cut_off_at_ms};
}

// REQUIRES: `at` is the time the license is judged at (SeatDecisions::judged_at).
LicenseState state_of(const storage::LicenseRecord& license, std::int64_t at) {
  return license_state(dates_of(license), at);
}

SeatResult end_of_life(const std::string& code) {
  return SeatResult::failure(SeatError::end_of_life,
                             "product " + code + " has reached End of Life");
}

SeatResult not_configured(const std::string& code) {
  return SeatResult::failure(SeatError::product_not_licensed,
                             "product " + code + " is not configured on this server");
}

// When a message names a moment: ISO 8601 UTC, readable without a converter.
std::string moment(std::int64_t unix_ms) {
  return calendar::format_utc(seconds(unix_ms));
}

// Why a license cannot be used when judged at `at` (outside its validity period and grace, or
// cut off), or OK. In grace it serves, so that a late renewal never stops work. A cut-off license
// answers license_expired too (the protocol has no code of its own for it), with a message that
// says it was disabled and when.
SeatResult check_valid(const storage::LicenseRecord& license, std::int64_t at) {
  switch (state_of(license, at)) {
    case LicenseState::not_started:
      return SeatResult::failure(SeatError::license_not_started,
                                 "the license starts at " + moment(license.starts_at_ms));
    case LicenseState::disabled:
      return SeatResult::failure(SeatError::license_expired,
                                 "the license is disabled since " +
                                     moment(license.cut_off_at_ms.value_or(at)) +
                                     ": its customer was disabled or its partner account canceled");
    case LicenseState::expired:
      return SeatResult::failure(
          SeatError::license_expired,
          "the license expired at " + moment(license.expires_at_ms) +
              (license.grace_ms > 0 ? " and its grace period ended at " +
                                          moment(license.expires_at_ms + license.grace_ms)
                                    : std::string()));
    case LicenseState::active:
    case LicenseState::expiring:
    case LicenseState::in_grace:
      break;
  }
  return {};
}

// Whether a gate's refusal may be lifted by units freed later, so that a checkout with `wait`
// waits for it: units reserved for others (no_seats), or a max rule reached (over_limit) whose
// figure the request fits in. A request above its limit or the license is never served.
bool may_lift(const SeatResult& refused, std::int64_t units, std::int64_t license_units) {
  if (units > license_units) return false;
  if (refused.error == SeatError::no_seats) return true;
  if (refused.error != SeatError::over_limit) return false;
  for (const auto& [key, value] : refused.fields)
    if (key == "limit") return units <= std::stoll(value);
  return false;
}

std::string component_list(const CatalogProduct& suite) {
  std::string out;
  for (const auto& c : suite.components) out += (out.empty() ? "" : ", ") + c;
  return out;
}

}  // namespace

SeatDecisions::SeatDecisions(storage::SeatStore& store, const ProductCatalog& catalog,
                             std::int64_t now_ms,
                             const std::vector<std::shared_ptr<CheckoutGate>>& gates,
                             LeaseEvents& events, Env& env, std::string_view instance,
                             std::optional<std::int64_t> license_now_ms, CheckinLinger* linger)
    : store_(store),
      catalog_(catalog),
      now_ms_(now_ms),
      license_now_ms_(license_now_ms.value_or(now_ms)),
      gates_(gates),
      linger_(linger),
      events_(events),
      env_(env),
      instance_(instance) {}

std::int64_t SeatDecisions::judged_at(const storage::LicenseRecord& license) {
  const std::int64_t at = domain::judged_at(license_now_ms_, license.clock_mark_ms);
  if (clock_mark_due(dates_of(license), license.clock_mark_ms, at)) {
    std::int64_t& due = due_marks_[license.id];
    due = std::max(due, at);
  }
  return at;
}

void SeatDecisions::write_clock_marks() {
  for (const auto& [license_id, mark_ms] : due_marks_)
    store_.advance_license_clock_mark(license_id, mark_ms);
  due_marks_.clear();
}

domain::ProductLifecycle SeatDecisions::lifecycle(const CatalogProduct& product) {
  if (!lifecycles_) lifecycles_ = store_.product_lifecycles();
  return domain::lifecycle_of({product.end_of_sale_ms, product.end_of_life_ms},
                              domain::stored_row(*lifecycles_, product.info.code), now_ms_);
}

SeatResult SeatDecisions::find_license(const std::string& code, const std::string& product,
                                       storage::LicenseRecord& license,
                                       const CatalogProduct*& product_out,
                                       const CatalogProduct** component_out) {
  // One answer for a mistyped and for an unknown code, so the error does not tell a guesser
  // which codes are well-formed.
  auto normalized = activation_code::normalize(code);
  if (!normalized) return SeatResult::failure(SeatError::invalid_code, "unknown activation code");
  const std::string code_hash = sha256_hex(*normalized);
  auto found = store_.find_license_by_code_hash(code_hash);
  if (!found) {
    // A license deleted at its product's End of Life says so, rather than looking unknown.
    if (auto retired = store_.find_retired_product(code_hash)) {
      product_ = *retired;
      return end_of_life(*retired);
    }
    return SeatResult::failure(SeatError::invalid_code, "unknown activation code");
  }
  license = std::move(*found);
  product_ = license.product_code;
  product_out = catalog_.find(license.product_code);
  if (product.empty() || product == license.product_code) {
    if (product_out == nullptr) return not_configured(license.product_code);
    return {};
  }
  if (product_out == nullptr || !product_out->has_component(product) || component_out == nullptr) {
    std::string covers = "the license covers product " + license.product_code;
    if (product_out != nullptr && !product_out->components.empty())
      covers =
          "the license covers suite " + license.product_code + ": " + component_list(*product_out);
    return SeatResult::failure(SeatError::product_not_licensed, covers);
  }
  *component_out = catalog_.find(product);
  if (*component_out == nullptr) return not_configured(product);
  return {};
}

SeatResult SeatDecisions::checkout(const SeatCommand& cmd, CheckoutDetails& details,
                                   const QueuedUnits* ahead) {
  product_.clear();
  details = {};
  try {
    return decide_checkout(cmd, details, ahead);
  } catch (const PluginFailure&) {
    return SeatResult::failure(SeatError::internal,
                               "the product family failed; see the server log");
  }
}

SeatResult SeatDecisions::decide_checkout(const SeatCommand& cmd, CheckoutDetails& details,
                                          const QueuedUnits* ahead) {
  const bool borrow = cmd.borrow_seconds > 0;
  // The token names its host and user, which the client checks offline.
  if (borrow && (cmd.host.empty() || cmd.user.empty()))
    return SeatResult::failure(SeatError::bad_request, std::string("missing field ") +
                                                           (cmd.host.empty() ? "host" : "user") +
                                                           " (a borrow names its host and user)");
  storage::LicenseRecord license;
  const CatalogProduct* product = nullptr;
  const CatalogProduct* component = nullptr;
  auto found = find_license(cmd.code, cmd.product, license, product, &component);
  // Set when the code found its license, even to refuse the product asked for (a denial).
  details.license_id = license.id;
  if (!found.ok()) return found;
  // A suite's unit is used through one of its components; which one decides End of Life.
  if (!product->components.empty() && component == nullptr)
    return SeatResult::failure(SeatError::bad_request,
                               "missing field product (the license is for suite " +
                                   license.product_code + ": " + component_list(*product) + ")");
  const std::int64_t now = now_ms_;
  if (lifecycle(*product).end_of_life()) return end_of_life(product->info.code);
  if (auto err = check_valid(license, judged_at(license)); !err.ok()) return err;
  if (component != nullptr && lifecycle(*component).end_of_life())
    return end_of_life(component->info.code);

  if (borrow) {
    if (auto refused = borrowable(license, *product, component); !refused.ok()) return refused;
  }

  store_.lock_license(license.id);
  sdk::HolderRequest holder_request{cmd.host, cmd.user, cmd.units};
  sdk::HolderIdentity holder = guarded(*product, "identify_holder", [&] {
    return product->family->identify_holder(product->info, holder_request);
  });
  if (holder.denial != sdk::Denial::none)
    return SeatResult::failure(domain::seat_error_of(holder.denial), holder.message);

  std::optional<storage::LeaseRecord> existing;
  std::string proof;
  // A borrowed lease is nobody's to reuse: it is stored without a holder, and a borrow always
  // makes a lease of its own (the holder's session lease, if any, goes on beside it).
  if (!holder.key.empty() && !borrow) {
    existing = store_.find_live_lease_by_holder(license.id, license.product_code, holder.key, now);
    proof = store_.holder_proof(cmd.holder_key);
    // A lease made with a holder_key goes only to a client that presents it: anybody else who
    // names the same holder learns neither its id nor extends it. `no_seats` is what a 1.0
    // client already knows, and what the holder's unit being taken amounts to for this client.
    if (existing && !existing->holder_proof.empty() && existing->holder_proof != proof)
      return SeatResult::failure(SeatError::no_seats,
                                 "this holder's lease was checked out with another holder_key");
  }

  if (!gates_.empty()) {
    const CheckoutCandidate candidate{
        cmd, license, *product, component, holder.key, existing ? &*existing : nullptr, now};
    for (const auto& gate : gates_)
      if (auto refused = gate->check(candidate, store_); !refused.ok()) {
        details.held_back = may_lift(refused, cmd.units, license.units);
        return refused;
      }
  }

  sdk::CheckoutContext context;
  context.product = &product->info;
  context.license_units = license.units;
  context.units_in_use = store_.units_in_use(license.id, now);
  context.units_requested = cmd.units;
  context.holder_has_lease = existing.has_value();
  context.holder_units = existing ? existing->units : 0;
  context.now_unix_ms = now;
  sdk::CheckoutDecision decision = guarded(
      *product, "decide_checkout", [&] { return product->family->decide_checkout(context); });

  // A borrow ends after its period, and never after its license.
  const std::int64_t expires =
      borrow ? std::min(now + cmd.borrow_seconds * 1000, license.expires_at_ms)
             : product->lease_expiry(now);
  const std::int64_t ceiling = product->unit_ceiling(license.units);
  SeatResult ok;
  switch (decision.verdict) {
    case sdk::CheckoutDecision::Verdict::reuse: {
      if (!existing)
        return SeatResult::failure(SeatError::internal, "family reused a lease that is not there");
      store_.renew_lease(existing->id, expires, now);
      existing->expires_at_ms = expires;
      existing->heartbeat_at_ms = now;
      events_.lease_changed(LeaseChange::reused, *existing, now, store_);
      return ok.add("lease", existing->id)
          .add("units", existing->units)
          .add("expires", seconds(expires))
          .add("heartbeat", product->terms.heartbeat_seconds);
    }
    case sdk::CheckoutDecision::Verdict::grant: {
      // Promise 1 is enforced here as well as in the family: a plugin can never make the
      // server grant more than the license owns (with the overage its family declared).
      if (decision.units <= 0 || context.units_in_use + decision.units > ceiling) {
        std::string message = "all " + std::to_string(license.units) + " " +
                              std::string(domain::to_string(license.unit)) + " in use";
        if (ceiling > license.units)
          message += ", and the overage allowance of " + std::to_string(ceiling - license.units);
        return SeatResult::failure(SeatError::no_seats, message);
      }
      // First come first served: units that earlier checkouts wait for are not this one's,
      // even when it asks fewer (the family counts only the leases).
      if (const std::int64_t queued = ahead ? ahead->queued_units(license.id) : 0;
          queued > 0 && context.units_in_use + queued + decision.units > ceiling) {
        details.out_of_units = true;
        return SeatResult::failure(SeatError::no_seats,
                                   "the free " + std::string(domain::to_string(license.unit)) +
                                       " are held for checkouts waiting before this one");
      }
      // The key first: a borrow whose token cannot be signed writes nothing.
      std::optional<domain::SigningKey> key;
      std::optional<Ed25519Key> signer;
      if (borrow) {
        key = store_.active_signing_key();
        if (key) signer = Ed25519Key::from_private(key->private_key);
        if (!signer) {
          log::error("no_signing_key", {{"effect", "borrows are refused"},
                                        {"hint", "restart lmpd, which makes one"}});
          return SeatResult::failure(SeatError::internal,
                                     "the server has no signing key; see the server log");
        }
      }
      storage::LeaseRecord lease;
      lease.id = random_hex(16, env_);
      lease.license_id = license.id;
      lease.product_code = license.product_code;
      lease.holder = holder.key;
      lease.holder_proof = std::move(proof);
      lease.units = decision.units;
      lease.issued_at_ms = now;
      lease.expires_at_ms = expires;
      lease.ref = random_hex(8, env_);
      lease.user = cmd.user;
      lease.host = cmd.host;
      lease.peer = cmd.peer;
      lease.heartbeat_at_ms = now;
      lease.instance = instance_;
      lease.borrowed = borrow;
      if (borrow) {
        lease.holder.clear();
        lease.holder_proof.clear();
      }
      store_.insert_lease(lease);
      events_.lease_changed(LeaseChange::granted, lease, now, store_);
      if (borrow) return borrowed(lease, component ? *component : *product, key->kid, *signer);
      return ok.add("lease", lease.id)
          .add("units", lease.units)
          .add("expires", seconds(expires))
          .add("heartbeat", product->terms.heartbeat_seconds);
    }
    case sdk::CheckoutDecision::Verdict::deny:
      break;
  }
  // A request larger than the license can never be served: queued, it would only hold the units
  // freed meanwhile from everybody behind it.
  details.out_of_units = decision.denial == sdk::Denial::no_seats && cmd.units <= ceiling;
  return SeatResult::failure(domain::seat_error_of(decision.denial), decision.message);
}

SeatResult SeatDecisions::borrowable(const storage::LicenseRecord& license,
                                     const CatalogProduct& product,
                                     const CatalogProduct* component) {
  // Permanent allocations (encryption keys, node-locked installs) already hold their units with
  // no heartbeat and no end: a borrow of one would only give a key an expiry it does not have.
  const CatalogProduct& used = component ? *component : product;
  if (license.unit == domain::UnitType::encryption_keys || product.permanent || used.permanent)
    return SeatResult::failure(SeatError::not_allowed,
                               "licenses of product " + used.info.code +
                                   " cannot be borrowed (their units are permanent allocations)");
  if (license.expires_at_ms <= now_ms_)
    return SeatResult::failure(SeatError::not_allowed,
                               "the license expired at " +
                                   std::to_string(seconds(license.expires_at_ms)) +
                                   " and serves only in its grace period: it cannot be borrowed");
  return {};
}

SeatResult SeatDecisions::borrowed(const storage::LeaseRecord& lease, const CatalogProduct& product,
                                   const std::string& kid, const Ed25519Key& signer) {
  domain::BorrowClaims claims;
  claims.lease = lease.id;
  claims.license = lease.license_id;
  claims.product = product.info.code;
  claims.units = lease.units;
  claims.host = lease.host;
  claims.user = lease.user;
  claims.iat = seconds(lease.issued_at_ms);
  claims.exp = seconds(lease.expires_at_ms);
  store_.note_signed(kid, claims.exp * 1000);
  SeatResult ok;
  return ok.add("lease", lease.id)
      .add("units", lease.units)
      .add("expires", claims.exp)
      .add("borrowed", "1")
      .add("token", domain::borrow_token(claims, kid, signer));
}

SeatResult SeatDecisions::no_lease(const std::string& id) {
  if (auto reason = store_.find_revoked_lease(id, now_ms_))
    return SeatResult::failure(SeatError::lease_revoked, *reason);
  return SeatResult::failure(SeatError::lease_unknown, "no such lease");
}

SeatResult SeatDecisions::heartbeat(const SeatCommand& cmd) {
  product_.clear();
  const std::int64_t now = now_ms_;
  auto lease = store_.find_lease(cmd.lease);
  if (!lease) return no_lease(cmd.lease);
  if (lease->expires_at_ms <= now || lease->lingering) return checked_in(*lease);
  product_ = lease->product_code;
  // A borrowed lease needs no heartbeat and is not extended by one: its end is its token's.
  // The answer tells a client that heartbeats anyway how long it holds the units.
  if (lease->borrowed) {
    SeatResult ok;
    return ok.add("expires", seconds(lease->expires_at_ms));
  }
  const CatalogProduct* product = catalog_.find(lease->product_code);
  if (product == nullptr) return not_configured(lease->product_code);
  if (lifecycle(*product).end_of_life()) return end_of_life(product->info.code);
  auto license = store_.find_license(lease->license_id);
  if (!license) return SeatResult::failure(SeatError::lease_unknown, "no such lease");
  if (const auto* own = catalog_.find(license->product_code);
      own != nullptr && own != product && lifecycle(*own).end_of_life())
    return end_of_life(own->info.code);
  // A lease outlives a step of the clock back before the license's start; only the end counts.
  if (auto err = check_valid(*license, judged_at(*license));
      !err.ok() && err.error != SeatError::license_not_started)
    return err;
  const std::int64_t expires = product->lease_expiry(now);
  store_.renew_lease(lease->id, expires, now);
  lease->expires_at_ms = expires;
  lease->heartbeat_at_ms = now;
  events_.lease_changed(LeaseChange::extended, *lease, now, store_);
  SeatResult ok;
  return ok.add("expires", seconds(expires));
}

SeatResult SeatDecisions::checked_in(const storage::LeaseRecord& lease) {
  // A lingering lease was checked in: its id is nobody's lease any more, though its holder's
  // next checkout takes the unit back (under this same id).
  if (lease.lingering && lease.expires_at_ms > now_ms_)
    return SeatResult::failure(SeatError::lease_unknown,
                               "no such lease: it was checked in (its holder's next checkout "
                               "takes its unit back until " +
                                   std::to_string(seconds(lease.expires_at_ms)) + ")");
  return SeatResult::failure(SeatError::lease_unknown, "no such lease");
}

SeatResult SeatDecisions::checkin(const SeatCommand& cmd) {
  product_.clear();
  auto lease = store_.find_lease(cmd.lease);
  if (!lease) return no_lease(cmd.lease);
  if (lease->expires_at_ms <= now_ms_ || lease->lingering) return checked_in(*lease);
  product_ = lease->product_code;
  // Linger (a site policy's): the unit stays with its holder for a while, so a quick restart of
  // the application takes the same lease back. Only a lease with a holder: nobody could take an
  // anonymous one back. Only here, after a checkin: a lease reclaimed at its expiry or released
  // by an administrator frees its units at once.
  const std::int64_t linger =
      linger_ != nullptr && !lease->holder.empty() ? linger_->linger_ms(*lease, store_) : 0;
  if (linger > 0) {
    store_.linger_lease(lease->id, now_ms_ + linger);
    lease->expires_at_ms = now_ms_ + linger;
    lease->lingering = true;
    events_.lease_changed(LeaseChange::lingering, *lease, now_ms_, store_);
    return {};
  }
  store_.delete_lease(lease->id);
  events_.lease_changed(LeaseChange::released, *lease, now_ms_, store_);
  return {};
}

SeatResult SeatDecisions::release(const SeatCommand& cmd) {
  product_.clear();
  const domain::LeaseRelease& order = *cmd.release;
  // The license before the lease, in the order a checkout takes them: the lease's delete moves
  // the license row's units_held (PostgreSQL), and a session holding the lease while it waits
  // for the license could deadlock with a checkout holding the license while it renews the lease.
  store_.lock_license(order.license_id);
  auto lease = store_.find_lease_by_ref(order.ref);
  if (!lease || lease->license_id != order.license_id || lease->expires_at_ms <= now_ms_)
    return SeatResult::failure(SeatError::lease_unknown, "no such lease");
  product_ = lease->product_code;
  // Remembered for at least a lease duration: as long as one more heartbeat would have kept it.
  const std::int64_t duration =
      std::max<std::int64_t>(0, lease->expires_at_ms - lease->heartbeat_at_ms);
  const std::int64_t until = std::max(lease->expires_at_ms, now_ms_ + duration);
  store_.delete_lease(lease->id);
  store_.revoke_lease(*lease, "released by an administrator: " + order.reason, now_ms_, until);
  domain::AuditRecord audit = order.audit;
  audit.at_ms = now_ms_;
  store_.append_audit(audit);
  events_.lease_changed(LeaseChange::revoked, *lease, now_ms_, store_);
  SeatResult ok;
  return ok.add("license", lease->license_id).add("units", lease->units);
}

SeatResult SeatDecisions::activate(const SeatCommand& cmd) {
  product_.clear();
  storage::LicenseRecord license;
  const CatalogProduct* product = nullptr;
  if (auto err = find_license(cmd.code, {}, license, product); !err.ok()) return err;
  const std::int64_t now = now_ms_;
  if (lifecycle(*product).end_of_life()) return end_of_life(product->info.code);
  if (auto err = check_valid(license, judged_at(license)); !err.ok()) return err;
  store_.record_activation(license.id, cmd.host, cmd.user, now);
  SeatResult ok;
  return ok.add("license", license.id)
      .add("product", license.product_code)
      .add("family", product->info.family)
      .add("units", license.units)
      .add("unit", std::string(domain::to_string(license.unit)))
      .add("expires", seconds(license.expires_at_ms));
}

SeatResult SeatDecisions::status(const SeatCommand& cmd) {
  product_.clear();
  storage::LicenseRecord license;
  const CatalogProduct* product = nullptr;
  const CatalogProduct* component = nullptr;
  if (auto err = find_license(cmd.code, cmd.product, license, product, &component); !err.ok())
    return err;
  const std::int64_t now = now_ms_;
  // Asked about a suite's component, the answer is that component's state within the suite.
  auto any = [&](auto&& test) { return test(*product) || (component && test(*component)); };
  // The product's lifecycle first, then the license's own state; End of Sale shows only on a
  // license that is otherwise plainly active.
  const LicenseState own = state_of(license, judged_at(license));
  std::string state(to_string(own));
  if (any([&](const CatalogProduct& p) { return lifecycle(p).end_of_life(); }))
    state = "end_of_life";
  else if (own == LicenseState::active &&
           any([&](const CatalogProduct& p) { return lifecycle(p).end_of_sale(); }))
    state = "end_of_sale";
  const std::int64_t used = store_.units_in_use(license.id, now);
  const std::int64_t ceiling = product->unit_ceiling(license.units);
  SeatResult ok;
  ok.add("product", component ? component->info.code : license.product_code)
      .add("state", state)
      .add("units", license.units)
      .add("used", used)
      .add("free", std::max<std::int64_t>(0, ceiling - used))
      .add("expires", seconds(license.expires_at_ms));
  // Only products with an overage allowance say how far the license is beyond its units, so
  // the answer for every other product stays exactly the protocol's.
  if (ceiling > license.units)
    ok.add("allowance", ceiling - license.units)
        .add("over", std::max<std::int64_t>(0, used - license.units));
  return ok;
}

}  // namespace lmp::seat
