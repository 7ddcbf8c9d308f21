// Group commit, seat decisions, the wait queue and lease reclaim.
#include "seat/seat_service.hpp"

#include <algorithm>
#include <chrono>
#include <exception>

#include "core/activation_code.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/secure_random.hpp"
#include "core/sha256.hpp"
#include "domain/license_state.hpp"
#include "domain/product_lifecycle.hpp"
#include "storage/seat_store.hpp"

namespace lmp::seat {
using domain::license_state;
using domain::LicenseState;

namespace {

// The smallest difference between wall-clock and monotonic progress taken as a step of the clock.
constexpr std::int64_t kClockStepToleranceMs = 1000;

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

std::string denial_code(sdk::Denial denial) {
  switch (denial) {
    case sdk::Denial::no_seats:
      return "no_seats";
    case sdk::Denial::bad_request:
      return "bad_request";
    case sdk::Denial::product_not_licensed:
      return "product_not_licensed";
    case sdk::Denial::none:
      break;
  }
  return "internal";
}

std::int64_t seconds(std::int64_t unix_ms) {
  return unix_ms / 1000;
}

LicenseState state_of(const storage::LicenseRecord& license, std::int64_t now) {
  return license_state({license.starts_at_ms, license.expires_at_ms, license.grace_ms,
                        license.notice_days, license.cut_off_at_ms},
                       now);
}

SeatResult end_of_life(const std::string& code) {
  return SeatResult::failure("end_of_life", "product " + code + " has reached End of Life");
}

// Why a license cannot be used at `now` (outside its validity period and grace, or cut off), or
// OK. In grace it serves, so that a late renewal never stops work.
SeatResult check_valid(const storage::LicenseRecord& license, std::int64_t now) {
  switch (state_of(license, now)) {
    case LicenseState::not_started:
      return SeatResult::failure(
          "license_not_started",
          "the license starts at " + std::to_string(seconds(license.starts_at_ms)));
    case LicenseState::expired:
    case LicenseState::disabled:
      return SeatResult::failure(
          "license_expired",
          "the license expired at " + std::to_string(seconds(license.expires_at_ms)));
    case LicenseState::active:
    case LicenseState::expiring:
    case LicenseState::in_grace:
      break;
  }
  return {};
}

std::string component_list(const CatalogProduct& suite) {
  std::string out;
  for (const auto& c : suite.components) out += (out.empty() ? "" : ", ") + c;
  return out;
}

SeatResult unavailable(std::string message) {
  return SeatResult::failure("unavailable", std::move(message));
}

}  // namespace

// Everything one batch decides, completed only after its transaction commits.
class SeatService::Batch {
 public:
  Batch(std::int64_t now, std::shared_ptr<const ProductCatalog> catalog)
      : now_ms(now), catalog(std::move(catalog)) {}
  std::int64_t now_ms;
  std::shared_ptr<const ProductCatalog> catalog;
  std::vector<Outcome> outcomes;
  std::set<std::int64_t> freed;  // licenses whose units were returned and not yet offered
  std::uint64_t sequence = 0;    // marks the waiters parked by this batch
  std::string product;           // the product of the license or lease the current request reached
  // The API's lifecycle rows, read once per batch when a decision first needs them.
  std::optional<std::vector<storage::StoredLifecycle>> lifecycles;
};

domain::ProductLifecycle SeatService::lifecycle(Batch& batch, const CatalogProduct& product) {
  if (!batch.lifecycles) batch.lifecycles = store_->product_lifecycles();
  return domain::lifecycle_of({product.end_of_sale_ms, product.end_of_life_ms},
                              domain::stored_row(*batch.lifecycles, product.info.code),
                              batch.now_ms);
}

SeatService::SeatService(std::unique_ptr<storage::SeatStore> store,
                         std::shared_ptr<const ProductCatalog> catalog, const Clock& clock,
                         SeatServiceOptions options)
    : store_(std::move(store)), clock_(clock), options_(options), catalog_(std::move(catalog)) {}

SeatService::~SeatService() {
  stop();
}

void SeatService::set_metrics(std::shared_ptr<SeatMetrics> metrics) {
  metrics_ = std::move(metrics);
}

SteadyTime SeatService::now_if_measured() const {
  return metrics_ ? std::chrono::steady_clock::now() : SteadyTime{};
}

void SeatService::count_lease_change(const std::string& product, std::int64_t units, bool added) {
  if (!metrics_) return;
  if (added)
    metrics_->lease_added(product, units);
  else
    metrics_->lease_removed(product, units);
}

void SeatService::recount_leases() {
  if (!metrics_) return;
  store_->for_each_lease([this](const storage::LeaseRecord& lease) {
    count_lease_change(lease.product_code, lease.units, true);
  });
  metrics_->replace_leases();
}

void SeatService::notice_lease_purge(Batch& batch) {
  const std::int64_t purge = store_->lease_purge();
  if (purge == lease_purge_) return;
  lease_purge_ = purge;
  recount_leases();
  for (const auto& [license, queue] : waiters_) batch.freed.insert(license);
}

void SeatService::start() {
  // Read before the leases are counted, so a deletion in between is noticed by the first batch.
  if (options_.shared_database) lease_purge_ = store_->lease_purge();
  if (metrics_) {
    metrics_->add_products(catalog_->codes());
    // The gauges count stored leases from here on, so they start from what is stored.
    recount_leases();
  }
  last_reading_ = clock_.read();
  next_reclaim_ms_ = last_reading_.unix_ms;
  durability_ = store_->detach_durability();
  if (durability_) sync_thread_ = std::thread([this] { run_sync(); });
  thread_ = std::thread([this] { run(); });
}

void SeatService::run_sync() {
  std::vector<Outcome> ready;
  for (;;) {
    {
      std::unique_lock lock(sync_mutex_);
      sync_cv_.wait(lock, [this] { return !awaiting_sync_.empty() || sync_stopping_; });
      if (awaiting_sync_.empty()) return;  // stopping, and nothing left to make durable
      ready.swap(awaiting_sync_);
    }
    // Everything in `ready` committed before this flush starts, so the flush covers it; the
    // batches committed meanwhile wait for the next one.
    const SteadyTime started = now_if_measured();
    durability_->sync();
    if (metrics_)
      metrics_->flushed(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    deliver(std::move(ready));
    ready.clear();
  }
}

void SeatService::submit(SeatCommand command, Completion done) {
  const SteadyTime received = now_if_measured();
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back(Pending{std::move(command), std::move(done), received});
      cv_.notify_one();
      return;
    }
  }
  done(unavailable("the server is shutting down"));
}

void SeatService::submit_many(std::vector<Submission>& submissions) {
  if (submissions.empty()) return;
  const SteadyTime received = now_if_measured();
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      for (auto& s : submissions)
        queue_.push_back(Pending{std::move(s.command), std::move(s.done), received});
      submissions.clear();
      cv_.notify_one();
      return;
    }
  }
  for (auto& s : submissions) s.done(unavailable("the server is shutting down"));
  submissions.clear();
}

void SeatService::set_completion_executor(Executor executor) {
  executor_ = std::move(executor);
}

void SeatService::deliver(std::vector<Outcome> outcomes) {
  if (outcomes.empty()) return;
  if (metrics_) {
    SeatMetrics::LatencyTally latency(*metrics_);
    for (const auto& outcome : outcomes) latency.released(outcome.info);
  }
  if (!executor_) {
    for (auto& outcome : outcomes) outcome.done(std::move(outcome.result));
    return;
  }
  auto shared = std::make_shared<std::vector<Outcome>>(std::move(outcomes));
  executor_([shared] {
    for (auto& outcome : *shared) outcome.done(std::move(outcome.result));
  });
}

void SeatService::replace_catalog(std::shared_ptr<const ProductCatalog> catalog) {
  if (metrics_) metrics_->add_products(catalog->codes());
  std::lock_guard lock(mutex_);
  catalog_ = std::move(catalog);
}

std::shared_ptr<const ProductCatalog> SeatService::catalog() const {
  std::lock_guard lock(mutex_);
  return catalog_;
}

void SeatService::wake() {
  std::lock_guard lock(mutex_);
  woken_ = true;
  cv_.notify_one();
}

void SeatService::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
  // Only after the storage thread's last commit: the sync thread flushes what remains.
  {
    std::lock_guard lock(sync_mutex_);
    sync_stopping_ = true;
    sync_cv_.notify_one();
  }
  if (sync_thread_.joinable()) sync_thread_.join();
}

std::size_t SeatService::waiter_count() const {
  std::lock_guard lock(mutex_);
  return waiter_total_;
}

void SeatService::run() {
  std::vector<Pending> work;
  for (;;) {
    bool stopping = false;
    {
      std::unique_lock lock(mutex_);
      // Waiters' deadlines and reclaim are measured on the injected clock, which a test may
      // move at any time; polling it at a short real-time interval keeps both prompt.
      auto tick = std::chrono::milliseconds(waiter_total_ > 0 ? 50 : 200);
      cv_.wait_for(lock, tick, [this] { return !queue_.empty() || stopping_ || woken_; });
      woken_ = false;
      stopping = stopping_;
      const std::size_t take =
          std::min(queue_.size(), static_cast<std::size_t>(options_.max_batch));
      if (take == queue_.size()) {
        work.swap(queue_);  // the common case: everything queued fits one batch
      } else {
        work.assign(std::make_move_iterator(queue_.begin()),
                    std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(take)));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
      }
      if (stopping && work.empty()) break;
    }
    run_batch(work);
    work.clear();
  }
  // Draining: nobody will free a unit for the waiters any more.
  std::vector<Outcome> released;
  for (auto& [license, queue] : waiters_) {
    for (auto& waiter : queue)
      released.push_back(
          {unavailable("the server is shutting down"), std::move(waiter.done), waiter.info});
  }
  waiters_.clear();
  const std::size_t answered = released.size();
  deliver(std::move(released));
  std::lock_guard lock(mutex_);
  waiter_total_ = 0;
  if (answered > 0) log::info("waiters_released", {{"count", std::to_string(answered)}});
}

void SeatService::notice_clock_step(const ClockReading& now) {
  const std::int64_t step =
      (now.unix_ms - last_reading_.unix_ms) - (now.monotonic_ms - last_reading_.monotonic_ms);
  last_reading_ = now;
  // Batches read the clock at least every 200 ms, and NTP slews by at most 0.5 ms per second:
  // anything near a second is a step.
  if (step > -kClockStepToleranceMs && step < kClockStepToleranceMs) return;
  log::warning("clock_jump", {{"direction", step > 0 ? "forward" : "backward"},
                              {"delta_ms", std::to_string(step)},
                              {"now", std::to_string(now.unix_ms)}});
  unshifted_step_ms_ += step;
  next_reclaim_ms_ += step;
  for (auto& [license, queue] : waiters_)
    for (auto& waiter : queue) waiter.deadline_ms += step;
}

void SeatService::shift_lease_expiries(std::int64_t delta_ms) {
  // On a shared database the leases are every instance's: a step of this machine's clock says
  // nothing about the others', so nothing is shifted (keep the instances in NTP sync,
  // docs/scale-out.md).
  if (options_.shared_database) {
    log::warning("lease_expiries_not_shifted",
                 {{"delta_ms", std::to_string(delta_ms)}, {"reason", "shared database"}});
    return;
  }
  std::vector<std::pair<std::string, std::int64_t>> expiries;
  store_->for_each_lease([&](const storage::LeaseRecord& lease) {
    // A permanent allocation never expires, whatever the clock does.
    if (lease.expires_at_ms >= CatalogProduct::kPermanentLeaseExpiryMs) return;
    expiries.emplace_back(lease.id, lease.expires_at_ms);
  });
  for (const auto& [id, expires_at_ms] : expiries)
    store_->set_lease_expiry(id, expires_at_ms + delta_ms);
  log::info("lease_expiries_shifted",
            {{"delta_ms", std::to_string(delta_ms)}, {"count", std::to_string(expiries.size())}});
}

void SeatService::run_batch(std::vector<Pending>& work) {
  const ClockReading reading = clock_.read();
  notice_clock_step(reading);
  const std::int64_t now = reading.unix_ms;
  const bool reclaim_due = now >= next_reclaim_ms_;
  bool waiters_due = false;
  for (const auto& [license, queue] : waiters_) {
    for (const auto& waiter : queue) waiters_due = waiters_due || waiter.deadline_ms <= now;
  }
  const std::int64_t shift = unshifted_step_ms_;
  if (work.empty() && !reclaim_due && !waiters_due && shift == 0) return;

  std::shared_ptr<const ProductCatalog> catalog;
  {
    std::lock_guard lock(mutex_);
    catalog = catalog_;
  }
  Batch batch(now, std::move(catalog));
  batch.sequence = ++batch_sequence_;
  batch.outcomes.reserve(work.size());
  bool committed = false;
  double commit_seconds = 0;
  std::size_t executed = 0;  // commands of `work` decided so far; the rest still hold `done`
  try {
    store_->begin();
    // Leases an End-of-Life deletion removed in another session: counted out, and their
    // licenses' waiters answered (end_of_life) instead of waiting for a unit that never frees.
    for (const auto& lease : store_->take_purged_leases()) {
      count_lease_change(lease.product_code, lease.units, false);
      batch.freed.insert(lease.license_id);
    }
    if (options_.shared_database) notice_lease_purge(batch);
    // Before any decision of this batch, which reads the wall clock after the step.
    if (shift != 0) shift_lease_expiries(shift);
    for (; executed < work.size(); ++executed) {
      execute(batch, work[executed]);
      serve_waiters(batch);
    }
    if (reclaim_due) {
      auto reclaimed = store_->reclaim_expired(now, options_.reclaim_limit);
      for (const auto& lease : reclaimed) {
        batch.freed.insert(lease.license_id);
        count_lease_change(lease.product_code, lease.units, false);
      }
      if (options_.shared_database)
        for (const auto& [license, queue] : waiters_) batch.freed.insert(license);
      if (!reclaimed.empty())
        log::debug("leases_reclaimed", {{"count", std::to_string(reclaimed.size())}});
      // A full sweep means more may be waiting: sweep again on the next batch.
      next_reclaim_ms_ = static_cast<int>(reclaimed.size()) >= options_.reclaim_limit
                             ? now
                             : now + options_.reclaim_interval_ms;
    }
    serve_waiters(batch);
    expire_waiters(batch);
    const SteadyTime commit_started = now_if_measured();
    store_->commit();
    committed = true;
    // A failed transaction leaves the step to the next one.
    unshifted_step_ms_ -= shift;
    if (metrics_)
      commit_seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - commit_started).count();
  } catch (const storage::StoreError& ex) {
    store_->rollback();
    log::error("storage_failure", {{"error", ex.what()}});
    for (auto& outcome : batch.outcomes)
      outcome.result = unavailable("storage failure; retry, possibly on another server");
    // A failure at BEGIN (the database went away, or stayed locked past the timeout) or in the
    // middle of a decision leaves commands that were never decided: they are answered too, or
    // their clients would wait forever.
    for (std::size_t i = executed; i < work.size(); ++i) {
      Pending& pending = work[i];
      if (!pending.done) continue;
      AnswerInfo info{pending.command.op, {}, pending.received, {}};
      batch.outcomes.push_back({unavailable("storage failure; retry, possibly on another server"),
                                std::move(pending.done), std::move(info)});
    }
    // Waiters this batch queued were decided on state that was rolled back.
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      auto& queue = it->second;
      for (auto w = queue.begin(); w != queue.end();) {
        if (w->batch == batch.sequence) {
          batch.outcomes.push_back(
              {unavailable("storage failure; retry"), std::move(w->done), std::move(w->info)});
          w = queue.erase(w);
        } else {
          ++w;
        }
      }
      it = queue.empty() ? waiters_.erase(it) : std::next(it);
    }
  }
  std::size_t total = 0;
  for (const auto& [license, queue] : waiters_) total += queue.size();
  {
    std::lock_guard lock(mutex_);
    waiter_total_ = total;
  }
  if (metrics_) {
    const SteadyTime decided = std::chrono::steady_clock::now();
    for (const auto& outcome : batch.outcomes)
      metrics_->answered(outcome.result, outcome.info, decided);
    metrics_->end_batch(committed, work.size(), commit_seconds, total);
  }
  if (committed && durability_) {
    // Answered once the sync thread has flushed this commit (see run_sync).
    std::lock_guard lock(sync_mutex_);
    for (auto& outcome : batch.outcomes) awaiting_sync_.push_back(std::move(outcome));
    batch.outcomes.clear();
    sync_cv_.notify_one();
    return;
  }
  deliver(std::move(batch.outcomes));
}

void SeatService::execute(Batch& batch, Pending& pending) {
  const SeatCommand& cmd = pending.command;
  SeatResult result;
  bool parked = false;
  batch.product.clear();
  try {
    switch (cmd.op) {
      case Operation::checkout:
        result = checkout(batch, cmd, true, pending.done, parked);
        break;
      case Operation::heartbeat:
        result = heartbeat(batch, cmd);
        break;
      case Operation::checkin:
        result = checkin(batch, cmd);
        break;
      case Operation::activate:
        result = activate(batch, cmd);
        break;
      case Operation::status:
        result = status(batch, cmd);
        break;
      case Operation::probe:
        break;
    }
  } catch (const PluginFailure&) {
    result = SeatResult::failure("internal", "the product family failed; see the server log");
  }
  AnswerInfo info{cmd.op, batch.product, pending.received, {}};
  if (parked) {
    Waiter& waiter = waiters_[parked_license_].back();
    info.parked = now_if_measured();
    waiter.info = std::move(info);
    waiter.command = std::move(pending.command);
    return;
  }
  batch.outcomes.push_back({std::move(result), std::move(pending.done), std::move(info)});
}

SeatResult SeatService::find_license(Batch& batch, const std::string& code,
                                     const std::string& product, storage::LicenseRecord& license,
                                     const CatalogProduct*& product_out,
                                     const CatalogProduct** component_out) {
  // One answer for a mistyped and for an unknown code, so the error does not tell a guesser
  // which codes are well-formed.
  auto normalized = activation_code::normalize(code);
  if (!normalized) return SeatResult::failure("invalid_code", "unknown activation code");
  const std::string code_hash = sha256_hex(*normalized);
  auto found = store_->find_license_by_code_hash(code_hash);
  if (!found) {
    // A license deleted at its product's End of Life says so, rather than looking unknown.
    if (auto retired = store_->find_retired_product(code_hash)) {
      batch.product = *retired;
      return end_of_life(*retired);
    }
    return SeatResult::failure("invalid_code", "unknown activation code");
  }
  license = std::move(*found);
  batch.product = license.product_code;
  product_out = batch.catalog->find(license.product_code);
  if (product_out == nullptr && product.empty())
    return SeatResult::failure("product_not_licensed", "product " + license.product_code +
                                                           " is not configured on this server");
  if (product.empty() || product == license.product_code) {
    if (product_out == nullptr)
      return SeatResult::failure("product_not_licensed", "product " + license.product_code +
                                                             " is not configured on this server");
    return {};
  }
  if (product_out == nullptr || !product_out->has_component(product) || component_out == nullptr) {
    std::string covers = "the license covers product " + license.product_code;
    if (product_out != nullptr && !product_out->components.empty())
      covers =
          "the license covers suite " + license.product_code + ": " + component_list(*product_out);
    return SeatResult::failure("product_not_licensed", covers);
  }
  *component_out = batch.catalog->find(product);
  if (*component_out == nullptr)
    return SeatResult::failure("product_not_licensed",
                               "product " + product + " is not configured on this server");
  return {};
}

SeatResult SeatService::checkout(Batch& batch, const SeatCommand& cmd, bool may_wait,
                                 Completion& done, bool& parked) {
  storage::LicenseRecord license;
  const CatalogProduct* product = nullptr;
  const CatalogProduct* component = nullptr;
  if (auto err = find_license(batch, cmd.code, cmd.product, license, product, &component);
      !err.ok())
    return err;
  // A suite's unit is used through one of its components; which one decides End of Life.
  if (!product->components.empty() && component == nullptr)
    return SeatResult::failure("bad_request", "missing field product (the license is for suite " +
                                                  license.product_code + ": " +
                                                  component_list(*product) + ")");
  const std::int64_t now = batch.now_ms;
  if (lifecycle(batch, *product).end_of_life()) return end_of_life(product->info.code);
  if (auto err = check_valid(license, now); !err.ok()) return err;
  if (component != nullptr && lifecycle(batch, *component).end_of_life())
    return end_of_life(component->info.code);

  store_->lock_license(license.id);
  sdk::HolderRequest holder_request{cmd.host, cmd.user, cmd.units};
  sdk::HolderIdentity holder = guarded(*product, "identify_holder", [&] {
    return product->family->identify_holder(product->info, holder_request);
  });
  if (holder.denial != sdk::Denial::none)
    return SeatResult::failure(denial_code(holder.denial), holder.message);

  std::optional<storage::LeaseRecord> existing;
  if (!holder.key.empty())
    existing = store_->find_live_lease_by_holder(license.id, license.product_code, holder.key, now);

  sdk::CheckoutContext context;
  context.product = &product->info;
  context.license_units = license.units;
  context.units_in_use = store_->units_in_use(license.id, now);
  context.units_requested = cmd.units;
  context.holder_has_lease = existing.has_value();
  context.holder_units = existing ? existing->units : 0;
  context.now_unix_ms = now;
  sdk::CheckoutDecision decision = guarded(
      *product, "decide_checkout", [&] { return product->family->decide_checkout(context); });

  const std::int64_t expires = product->lease_expiry(now);
  SeatResult ok;
  switch (decision.verdict) {
    case sdk::CheckoutDecision::Verdict::reuse: {
      if (!existing)
        return SeatResult::failure("internal", "family reused a lease that is not there");
      store_->set_lease_expiry(existing->id, expires);
      return ok.add("lease", existing->id)
          .add("units", existing->units)
          .add("expires", seconds(expires))
          .add("heartbeat", product->terms.heartbeat_seconds);
    }
    case sdk::CheckoutDecision::Verdict::grant: {
      // Promise 1 is enforced here as well as in the family: a plugin can never make the
      // server grant more than the license owns (with the overage its family declared).
      const std::int64_t ceiling = product->unit_ceiling(license.units);
      if (decision.units <= 0 || context.units_in_use + decision.units > ceiling) {
        std::string message = "all " + std::to_string(license.units) + " " +
                              std::string(domain::to_string(license.unit)) + " in use";
        if (ceiling > license.units)
          message += ", and the overage allowance of " + std::to_string(ceiling - license.units);
        return SeatResult::failure("no_seats", message);
      }
      storage::LeaseRecord lease;
      lease.id = random_hex(16);
      lease.license_id = license.id;
      lease.product_code = license.product_code;
      lease.holder = holder.key;
      lease.units = decision.units;
      lease.issued_at_ms = now;
      lease.expires_at_ms = expires;
      store_->insert_lease(lease);
      count_lease_change(lease.product_code, lease.units, true);
      return ok.add("lease", lease.id)
          .add("units", lease.units)
          .add("expires", seconds(expires))
          .add("heartbeat", product->terms.heartbeat_seconds);
    }
    case sdk::CheckoutDecision::Verdict::deny:
      break;
  }
  if (decision.denial == sdk::Denial::no_seats && may_wait && cmd.wait_seconds > 0) {
    std::size_t queued = 0;
    for (const auto& [id, queue] : waiters_) queued += queue.size();
    if (queued < options_.max_waiters) {
      Waiter waiter;
      waiter.done = std::move(done);
      waiter.deadline_ms = now + cmd.wait_seconds * 1000;
      waiter.batch = batch.sequence;
      waiters_[license.id].push_back(std::move(waiter));
      parked_license_ = license.id;
      parked = true;
      return {};
    }
    return SeatResult::failure("no_seats", "the wait queue is full");
  }
  return SeatResult::failure(denial_code(decision.denial), decision.message);
}

SeatResult SeatService::heartbeat(Batch& batch, const SeatCommand& cmd) {
  const std::int64_t now = batch.now_ms;
  auto lease = store_->find_lease(cmd.lease);
  if (!lease || lease->expires_at_ms <= now)
    return SeatResult::failure("lease_unknown", "no such lease");
  batch.product = lease->product_code;
  const CatalogProduct* product = batch.catalog->find(lease->product_code);
  if (product == nullptr)
    return SeatResult::failure("product_not_licensed", "product " + lease->product_code +
                                                           " is not configured on this server");
  if (lifecycle(batch, *product).end_of_life()) return end_of_life(product->info.code);
  auto license = store_->find_license(lease->license_id);
  if (!license) return SeatResult::failure("lease_unknown", "no such lease");
  if (const auto* own = batch.catalog->find(license->product_code);
      own != nullptr && own != product && lifecycle(batch, *own).end_of_life())
    return end_of_life(own->info.code);
  // A lease outlives a step of the clock back before the license's start; only the end counts.
  if (auto err = check_valid(*license, now); !err.ok() && err.error != "license_not_started")
    return err;
  const std::int64_t expires = product->lease_expiry(now);
  store_->set_lease_expiry(lease->id, expires);
  SeatResult ok;
  return ok.add("expires", seconds(expires));
}

SeatResult SeatService::checkin(Batch& batch, const SeatCommand& cmd) {
  auto lease = store_->find_lease(cmd.lease);
  if (!lease || lease->expires_at_ms <= batch.now_ms)
    return SeatResult::failure("lease_unknown", "no such lease");
  batch.product = lease->product_code;
  store_->delete_lease(lease->id);
  count_lease_change(lease->product_code, lease->units, false);
  batch.freed.insert(lease->license_id);
  return {};
}

SeatResult SeatService::activate(Batch& batch, const SeatCommand& cmd) {
  storage::LicenseRecord license;
  const CatalogProduct* product = nullptr;
  if (auto err = find_license(batch, cmd.code, {}, license, product); !err.ok()) return err;
  const std::int64_t now = batch.now_ms;
  if (lifecycle(batch, *product).end_of_life()) return end_of_life(product->info.code);
  if (auto err = check_valid(license, now); !err.ok()) return err;
  store_->record_activation(license.id, cmd.host, cmd.user, now);
  SeatResult ok;
  return ok.add("license", license.id)
      .add("product", license.product_code)
      .add("family", product->info.family)
      .add("units", license.units)
      .add("unit", std::string(domain::to_string(license.unit)))
      .add("expires", seconds(license.expires_at_ms));
}

SeatResult SeatService::status(Batch& batch, const SeatCommand& cmd) {
  storage::LicenseRecord license;
  const CatalogProduct* product = nullptr;
  const CatalogProduct* component = nullptr;
  if (auto err = find_license(batch, cmd.code, cmd.product, license, product, &component);
      !err.ok())
    return err;
  const std::int64_t now = batch.now_ms;
  // Asked about a suite's component, the answer is that component's state within the suite.
  auto any = [&](auto&& test) { return test(*product) || (component && test(*component)); };
  // The product's lifecycle first, then the license's own state; End of Sale shows only on a
  // license that is otherwise plainly active.
  const LicenseState own = state_of(license, now);
  std::string state(to_string(own));
  if (any([&](const CatalogProduct& p) { return lifecycle(batch, p).end_of_life(); }))
    state = "end_of_life";
  else if (own == LicenseState::active &&
           any([&](const CatalogProduct& p) { return lifecycle(batch, p).end_of_sale(); }))
    state = "end_of_sale";
  const std::int64_t used = store_->units_in_use(license.id, now);
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

void SeatService::serve_waiters(Batch& batch) {
  if (batch.freed.empty()) return;
  std::set<std::int64_t> freed;
  freed.swap(batch.freed);
  for (std::int64_t license : freed) {
    auto it = waiters_.find(license);
    if (it == waiters_.end()) continue;
    auto& queue = it->second;
    // First come first served: the head waits until its request fits, and nobody behind it
    // is served before it.
    while (!queue.empty()) {
      Waiter& head = queue.front();
      bool parked = false;
      SeatResult result;
      try {
        result = checkout(batch, head.command, false, head.done, parked);
      } catch (const PluginFailure&) {
        result = SeatResult::failure("internal", "the product family failed; see the server log");
      }
      if (result.error == "no_seats") break;
      batch.outcomes.push_back({std::move(result), std::move(head.done), std::move(head.info)});
      queue.pop_front();
    }
    if (queue.empty()) waiters_.erase(it);
  }
}

void SeatService::expire_waiters(Batch& batch) {
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    auto& queue = it->second;
    for (auto w = queue.begin(); w != queue.end();) {
      if (w->deadline_ms <= batch.now_ms) {
        batch.outcomes.push_back(
            {SeatResult::failure("no_seats", "no unit was freed within the wait time"),
             std::move(w->done), std::move(w->info)});
        w = queue.erase(w);
      } else {
        ++w;
      }
    }
    it = queue.empty() ? waiters_.erase(it) : std::next(it);
  }
}

}  // namespace lmp::seat
