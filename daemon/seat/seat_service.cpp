// The batch pipeline: the queue, one transaction per batch, group commit, the hand-off to the
// sync thread and the delivery of answers. The rules are in seat_decisions.cpp.
#include "seat/seat_service.hpp"

#include <algorithm>
#include <chrono>
#include <future>
#include <set>
#include <string>

#include "core/log.hpp"
#include "domain/usage_record.hpp"
#include "seat/license_figures.hpp"
#include "seat/seat_decisions.hpp"
#include "seat/sync_stage.hpp"
#include "storage/seat_store.hpp"

namespace lmp::seat {
namespace {

SeatResult unavailable(std::string message) {
  return SeatResult::failure(SeatError::unavailable, std::move(message));
}

}  // namespace

// Everything one batch decides, answered only after its transaction commits; and where its
// lease changes go: counted for the metrics, freed units noted for the waiters, the rules'
// observers told.
class SeatService::Batch final : public LeaseEvents {
 public:
  Batch(std::uint64_t sequence, SeatMetrics* metrics, const SeatRules& rules, std::int64_t now_ms)
      : sequence(sequence),
        metrics_(metrics),
        observers_(rules.observers),
        checkout_observers_(rules.checkout_observers),
        now_ms_(now_ms) {}

  void lease_changed(LeaseChange change, const storage::LeaseRecord& lease, std::int64_t now_ms,
                     storage::SeatStore& store) override {
    switch (change) {
      case LeaseChange::granted:
        if (metrics_) metrics_->lease_added(lease.product_code, lease.units);
        break;
      case LeaseChange::released:
      case LeaseChange::reclaimed:
      case LeaseChange::purged:
      case LeaseChange::revoked:
        if (metrics_) metrics_->lease_removed(lease.product_code, lease.units);
        freed.insert(lease.license_id);
        break;
      case LeaseChange::reused:
      case LeaseChange::extended:
      case LeaseChange::lingering:  // its units stay in use until the linger ends
        break;
    }
    for (const auto& observer : observers_) observer->lease_changed(change, lease, now_ms, store);
  }

  // A checkout whose code found `license_id` was answered `result`: a refusal is told to the
  // observers as a denial when it is recorded as one.
  void checkout_answered(const SeatCommand& command, std::int64_t license_id,
                         const SeatResult& result, storage::SeatStore& store) {
    if (result.ok() || license_id == 0 || !domain::recorded_as_denial(*result.error)) return;
    for (const auto& observer : checkout_observers_)
      observer->checkout_denied(command, license_id, *result.error, now_ms_, store);
  }
  void wait_started(const SeatCommand& command, std::int64_t license_id,
                    storage::SeatStore& store) {
    for (const auto& observer : checkout_observers_)
      observer->wait_started(command, license_id, now_ms_, store);
  }
  // Where the wait queue tells of the waits that end in this batch's transaction.
  WaitQueue::Ended wait_ends(storage::SeatStore& store) {
    if (checkout_observers_.empty()) return {};
    return [this, &store](std::int64_t license_id, const WaitQueue::Waiter& waiter, WaitEnd end,
                          const SeatResult& answer) {
      const std::int64_t since = WaitQueue::waiting_since_ms(waiter);
      for (const auto& observer : checkout_observers_)
        observer->wait_ended(waiter.command, license_id, end, since, now_ms_, store);
      // The client was turned away after its wait: a denial like any other.
      if (end == WaitEnd::denied || end == WaitEnd::timed_out)
        checkout_answered(waiter.command, license_id, answer, store);
    };
  }

  const std::uint64_t sequence;  // marks the waiters parked by this batch
  std::vector<PendingAnswer> outcomes;
  std::set<std::int64_t> freed;  // licenses whose units were returned and not yet offered

 private:
  SeatMetrics* const metrics_;
  const std::vector<std::shared_ptr<LeaseEvents>>& observers_;
  const std::vector<std::shared_ptr<CheckoutEvents>>& checkout_observers_;
  const std::int64_t now_ms_;
};

SeatService::SeatService(std::unique_ptr<storage::SeatStore> store,
                         std::shared_ptr<const ProductCatalog> catalog, const Clock& clock,
                         SeatServiceOptions options)
    : store_(std::move(store)),
      clock_(clock),
      options_(options),
      catalog_(std::move(catalog)),
      waiters_(options.max_waiters),
      reclaim_(options.reclaim_interval_ms, options.reclaim_limit, options.usage_retention_ms) {}

SeatService::~SeatService() {
  stop();
}

void SeatService::set_metrics(std::shared_ptr<SeatMetrics> metrics) {
  metrics_ = std::move(metrics);
}

void SeatService::set_rules(SeatRules rules) {
  rules_ = std::move(rules);
}

void SeatService::set_durability_lost_handler(std::function<void()> handler) {
  on_durability_lost_ = std::move(handler);
}

void SeatService::set_completion_executor(Executor executor) {
  executor_ = std::move(executor);
}

SteadyTime SeatService::now_if_measured() const {
  return metrics_ ? std::chrono::steady_clock::now() : SteadyTime{};
}

void SeatService::recount_leases() {
  if (!metrics_) return;
  for (const auto& total : store_->lease_totals_by_product())
    metrics_->leases_added(total.product_code, total.leases, total.units);
  metrics_->replace_leases();
}

void SeatService::notice_lease_purge(Batch& batch) {
  const std::int64_t purge = store_->lease_purge();
  if (purge == lease_purge_) return;
  lease_purge_ = purge;
  recount_leases();
  for (std::int64_t license : waiters_.licenses()) batch.freed.insert(license);
}

void SeatService::count_licenses(std::int64_t now_ms, std::int64_t license_now_ms) {
  const std::int64_t generation = store_->license_generation();
  if (generation != licenses_counted_generation_ ||
      now_ms - licenses_counted_ms_ >= kLicenseRecountMs) {
    metrics_->set_licensed(licensed_by_product(store_->list_licenses(), license_now_ms));
    licenses_counted_generation_ = generation;
    licenses_counted_ms_ = now_ms;
  }
  metrics_->expiry_at(license_now_ms);
}

void SeatService::start() {
  // Read before the leases are counted, so a deletion in between is noticed by the first batch.
  if (options_.shared_database) {
    lease_purge_ = store_->lease_purge();
    forget_advertised_waiters();
  }
  if (metrics_) {
    metrics_->add_products(catalog_->codes());
    // The gauges count stored leases from here on, so they start from what is stored.
    recount_leases();
  }
  const ClockReading reading = clock_.read();
  clock_steps_.start(reading);
  // Licenses are judged from where they were left, however far the clock went back meanwhile.
  clock_mark_.start(reading, store_->server_clock_mark());
  if (const std::int64_t behind = clock_mark_.behind_ms(); behind > 0)
    log::warning("clock_behind_mark", {{"behind_ms", std::to_string(behind)},
                                       {"mark_ms", std::to_string(clock_mark_.now_ms())},
                                       {"effect", "licenses are judged at the mark"}});
  if (clock_guard_) clock_guard_->observe(reading.unix_ms, clock_mark_.now_ms());
  reclaim_.schedule_at(reading.unix_ms);
  if (auto durability = store_->detach_durability()) {
    sync_ = std::make_unique<SyncStage>(
        std::move(durability),
        [this](std::vector<PendingAnswer> answers) { deliver(std::move(answers)); },
        [this] {
          durability_lost_ = true;
          wake();  // so the waiters are answered now
          if (on_durability_lost_) on_durability_lost_();
        },
        metrics_.get());
    sync_->start();
  }
  thread_ = std::thread([this] { run(); });
}

void SeatService::submit(SeatCommand command, Completion done,
                         std::shared_ptr<const CancelToken> token) {
  const SteadyTime received = now_if_measured();
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back(Pending{std::move(command), std::move(done), received, std::move(token)});
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
        queue_.push_back(
            Pending{std::move(s.command), std::move(s.done), received, std::move(s.token)});
      submissions.clear();
      cv_.notify_one();
      return;
    }
  }
  for (auto& s : submissions) s.done(unavailable("the server is shutting down"));
  submissions.clear();
}

void SeatService::deliver(std::vector<PendingAnswer> answers) {
  if (answers.empty()) return;
  if (metrics_) {
    SeatMetrics::LatencyTally latency(*metrics_);
    for (const auto& answer : answers) latency.released(answer.info);
  }
  if (!executor_) {
    for (auto& answer : answers) answer.done(std::move(answer.result));
    return;
  }
  // An administrator's release is waited for on the admin worker, which the network thread may
  // be joining while it stops: its answer is delivered here, not through the executor.
  std::erase_if(answers, [](PendingAnswer& answer) {
    if (answer.info.op != Operation::release) return false;
    answer.done(std::move(answer.result));
    return true;
  });
  if (answers.empty()) return;
  auto shared = std::make_shared<std::vector<PendingAnswer>>(std::move(answers));
  executor_([shared] {
    for (auto& answer : *shared) answer.done(std::move(answer.result));
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

void SeatService::cancel(const std::shared_ptr<CancelToken>& token) {
  token->cancel();
  std::lock_guard lock(mutex_);
  withdraw_ = true;
  cv_.notify_one();
}

void SeatService::wake() {
  std::lock_guard lock(mutex_);
  woken_ = true;
  cv_.notify_one();
}

void SeatService::units_freed_elsewhere(std::int64_t license_id) {
  std::lock_guard lock(mutex_);
  // Not filtered by waiting_ here: a waiter queued by the batch running now is not in it yet.
  if (license_id == kEveryLicense)
    freed_everywhere_ = true;
  else
    freed_elsewhere_.insert(license_id);
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
  if (sync_) sync_->stop();
}

std::size_t SeatService::waiter_count() const {
  std::lock_guard lock(mutex_);
  return waiter_total_;
}

bool SeatService::release(const domain::LeaseRelease& order) {
  auto answered = std::make_shared<std::promise<SeatResult>>();
  auto answer = answered->get_future();
  SeatCommand command;
  command.op = Operation::release;
  command.release = std::make_shared<const domain::LeaseRelease>(order);
  submit(std::move(command),
         [answered](SeatResult result) { answered->set_value(std::move(result)); });
  // The engine answers every command, even while it stops; the bound keeps a wedged storage
  // thread from holding the admin worker for ever.
  if (answer.wait_for(std::chrono::seconds(60)) != std::future_status::ready)
    throw storage::StoreError("the seat engine did not carry out the release within 60 s");
  SeatResult result = answer.get();
  if (result.ok()) return true;
  if (result.error == SeatError::lease_unknown) return false;
  throw storage::StoreError("the seat engine could not release the lease: " + result.message);
}

std::int64_t SeatService::waiting(std::int64_t license_id) const {
  std::lock_guard lock(mutex_);
  auto it = waiting_.find(license_id);
  return it == waiting_.end() ? 0 : it->second;
}

void SeatService::publish_waiters() {
  // Nothing to build while nobody waits (the common case), and nothing to clear once cleared.
  std::map<std::int64_t, std::int64_t> by_license;
  if (waiters_.size() > 0) by_license = waiters_.waiting_by_license();
  std::lock_guard lock(mutex_);
  waiter_total_ = waiters_.size();
  if (!by_license.empty() || !waiting_.empty()) waiting_.swap(by_license);
}

void SeatService::run() {
  std::vector<Pending> work;
  std::set<std::int64_t> freed;
  for (;;) {
    bool stopping = false;
    bool withdraw = false;
    {
      std::unique_lock lock(mutex_);
      // Waiters' deadlines and reclaim are measured on the injected clock, which a test may
      // move at any time; polling it at a short real-time interval keeps both prompt.
      auto tick = std::chrono::milliseconds(waiter_total_ > 0 ? 50 : 200);
      cv_.wait_for(lock, tick, [this] {
        return !queue_.empty() || stopping_ || woken_ || withdraw_ || freed_everywhere_ ||
               !freed_elsewhere_.empty();
      });
      woken_ = false;
      freed.clear();
      freed.swap(freed_elsewhere_);
      if (freed_everywhere_) freed.insert(kEveryLicense);
      freed_everywhere_ = false;
      withdraw = withdraw_;
      withdraw_ = false;
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
    run_batch(work, withdraw, std::move(freed));
    work.clear();
  }
  // Draining: nobody will free a unit for the waiters any more.
  std::vector<PendingAnswer> released;
  release_waiters_at_stop(released);
  const std::size_t answered = released.size();
  deliver(std::move(released));
  publish_waiters();
  if (answered > 0) log::info("waiters_released", {{"count", std::to_string(answered)}});
  if (options_.shared_database && !advertised_waiters_.empty()) forget_advertised_waiters();
}

void SeatService::forget_advertised_waiters() {
  try {
    store_->forget_advertised_waiters(options_.instance);
    advertised_waiters_.clear();
  } catch (const storage::StoreError& ex) {
    // Costs other instances a notification each time they free units of those licenses.
    log::warning("storage_failure",
                 {{"error", ex.what()},
                  {"effect",
                   "the licenses this instance had waiters for stay noted until its "
                   "next start"}});
  }
}

void SeatService::release_waiters_at_stop(std::vector<PendingAnswer>& released) {
  const SeatResult answer = unavailable("the server is shutting down");
  if (waiters_.size() == 0 || rules_.checkout_observers.empty() ||
      durability_lost_.load(std::memory_order_acquire)) {
    waiters_.release_all(answer, released);
    return;
  }
  // The ends of the waits are recorded in one transaction of their own: no batch runs any more.
  Batch batch(++batch_sequence_, nullptr, rules_, clock_.read().unix_ms);
  try {
    store_->begin();
    waiters_.release_all(answer, released, batch.wait_ends(*store_));
    store_->commit();
    if (metrics_) metrics_->publish_usage(true);
  } catch (const storage::StoreError& ex) {
    store_->rollback();
    if (metrics_) metrics_->publish_usage(false);
    waiters_.release_all(answer, released);
    log::error("storage_failure",
               {{"error", ex.what()}, {"effect", "the ends of the waits are not recorded"}});
  }
}

void SeatService::refuse_all(std::vector<Pending>& work) {
  if (work.empty() && waiters_.size() == 0) return;
  std::vector<PendingAnswer> refused;
  refused.reserve(work.size());
  for (auto& pending : work)
    refused.push_back({durability_lost(),
                       std::move(pending.done),
                       {pending.command.op, {}, pending.received, {}}});
  waiters_.release_all(durability_lost(), refused);
  publish_waiters();
  if (metrics_) {
    const SteadyTime now = std::chrono::steady_clock::now();
    for (const auto& answer : refused) metrics_->answered(answer.result, answer.info, now);
    metrics_->end_batch(false, work.size(), 0, 0);
  }
  deliver(std::move(refused));
}

void SeatService::expect_leases(const std::vector<Pending>& work) {
  std::vector<std::string> ids;
  for (const auto& pending : work) {
    const SeatCommand& command = pending.command;
    if ((command.op == Operation::heartbeat || command.op == Operation::checkin) &&
        !command.lease.empty())
      ids.push_back(command.lease);
  }
  store_->expect_leases(ids);
}

void SeatService::run_batch(std::vector<Pending>& work, bool withdraw,
                            std::set<std::int64_t> freed) {
  // Nothing committed from here on could be acknowledged: decide nothing more.
  if (durability_lost_.load(std::memory_order_acquire)) {
    refuse_all(work);
    return;
  }
  const ClockReading reading = clock_.read();
  // A step moves waiter deadlines and the reclaim schedule at once, and the stored lease
  // expiries in the next transaction, before it decides anything.
  if (const std::int64_t step = clock_steps_.notice(reading); step != 0) {
    reclaim_.shift(step);
    waiters_.shift_deadlines(step);
  }
  const std::int64_t now = reading.unix_ms;
  const std::int64_t license_now = clock_mark_.advance(reading);
  if (clock_guard_) clock_guard_->observe(now, license_now);
  const bool reclaim_due = reclaim_.due(now);
  const bool waiters_due = waiters_.any_due(now);
  const std::int64_t shift = clock_steps_.pending_shift();
  // Written even while idle, so that licenses nobody uses are covered by it too.
  const bool mark_due = clock_mark_.write_due();
  // News of units freed elsewhere only matters to waiters here.
  if (waiters_.size() == 0) freed.clear();
  if (work.empty() && !reclaim_due && !waiters_due && shift == 0 && !withdraw && !mark_due &&
      freed.empty())
    return;

  std::shared_ptr<const ProductCatalog> catalog;
  {
    std::lock_guard lock(mutex_);
    catalog = catalog_;
  }
  Batch batch(++batch_sequence_, metrics_.get(), rules_, now);
  batch.outcomes.reserve(work.size());
  SeatDecisions decisions(*store_, *catalog, now, rules_.gates, batch,
                          options_.env != nullptr ? *options_.env : Env::posix(), options_.instance,
                          license_now, rules_.linger.get());
  bool committed = false;
  double commit_seconds = 0;
  std::size_t executed = 0;  // commands of `work` decided so far; the rest still hold `done`
  try {
    store_->begin();
    // First, so that the units they wait for are free for this batch's checkouts; inside the
    // transaction, which records the ends of their waits.
    if (withdraw) waiters_.withdraw_cancelled(batch.outcomes, batch.wait_ends(*store_));
    // Leases an End-of-Life deletion removed in another session: counted out, and their
    // licenses' waiters answered (end_of_life) instead of waiting for a unit that never frees.
    for (const auto& lease : store_->take_purged_leases())
      batch.lease_changed(LeaseChange::purged, lease, now, *store_);
    if (options_.shared_database) notice_lease_purge(batch);
    if (freed.contains(kEveryLicense)) {
      for (std::int64_t license : waiters_.licenses()) batch.freed.insert(license);
    } else {
      batch.freed.insert(freed.begin(), freed.end());
    }
    // Before this batch's checkouts: the waiters were first.
    serve_waiters(batch, decisions);
    if (shift != 0) shift_lease_expiries(*store_, shift, options_.shared_database);
    // On a shared database each read is a round trip: the batch's leases go in one.
    if (options_.shared_database) expect_leases(work);
    for (; executed < work.size(); ++executed) {
      execute(batch, decisions, work[executed]);
      serve_waiters(batch, decisions);
    }
    if (reclaim_due) {
      reclaim_.run(*store_, now, batch);
      // Where a counter is kept (PostgreSQL, which only a shared database uses).
      if (options_.shared_database) {
        units_held_check_.run(*store_, now);
        if (metrics_) metrics_->units_held_mismatched(units_held_check_.mismatched());
      }
      if (metrics_) {
        metrics_->usage_pruned(reclaim_.pruned());
        count_licenses(now, license_now);
      }
      if (options_.shared_database)
        for (std::int64_t license : waiters_.licenses()) batch.freed.insert(license);
    }
    serve_waiters(batch, decisions);
    waiters_.expire(now, batch.outcomes, batch.wait_ends(*store_));
    decisions.write_clock_marks();
    if (mark_due) store_->advance_server_clock_mark(license_now);
    std::optional<std::set<std::int64_t>> advertised;
    if (options_.shared_database) advertised = advertise_waiters(now);
    const SteadyTime commit_started = now_if_measured();
    store_->commit();
    committed = true;
    if (advertised) advertised_waiters_ = std::move(*advertised);
    if (reclaim_due && options_.shared_database) units_held_check_.committed();
    // A failed transaction leaves the step, and the mark, to the next one.
    clock_steps_.shift_applied(shift);
    if (mark_due) clock_mark_.stored(license_now);
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
    waiters_.cancel_batch(batch.sequence, unavailable("storage failure; retry"), batch.outcomes);
    // The clients that left are withdrawn by the next batch.
    if (withdraw) {
      std::lock_guard lock(mutex_);
      withdraw_ = true;
    }
  }
  publish_waiters();
  if (metrics_) {
    const SteadyTime decided = std::chrono::steady_clock::now();
    for (const auto& outcome : batch.outcomes)
      metrics_->answered(outcome.result, outcome.info, decided);
    metrics_->end_batch(committed, work.size(), commit_seconds, waiters_.size());
  }
  if (committed && sync_) {
    // Answered once the sync thread has flushed this commit.
    sync_->hand_over(batch.outcomes);
    return;
  }
  deliver(std::move(batch.outcomes));
}

std::optional<std::set<std::int64_t>> SeatService::advertise_waiters(std::int64_t now_ms) {
  if (waiters_.size() == 0 && advertised_waiters_.empty()) return std::nullopt;
  std::set<std::int64_t> waiting;
  for (std::int64_t license : waiters_.licenses()) waiting.insert(license);
  if (waiting == advertised_waiters_) return std::nullopt;
  for (std::int64_t license : waiting)
    if (!advertised_waiters_.contains(license))
      store_->advertise_waiters(options_.instance, license, true, now_ms);
  for (std::int64_t license : advertised_waiters_)
    if (!waiting.contains(license))
      store_->advertise_waiters(options_.instance, license, false, now_ms);
  return waiting;
}

void SeatService::execute(Batch& batch, SeatDecisions& decisions, Pending& pending) {
  const SeatCommand& cmd = pending.command;
  SeatResult result;
  switch (cmd.op) {
    case Operation::checkout: {
      CheckoutDetails details;
      result = decisions.checkout(cmd, details, &waiters_);
      bool left = false;  // its client has gone: it is not turned away, it left
      if ((details.out_of_units || details.held_back) && cmd.wait_seconds > 0) {
        if (pending.token && pending.token->cancelled()) {
          result = WaitQueue::withdrawn();
          left = true;
        } else if (!waiters_.full()) {
          WaitQueue::Waiter waiter;
          waiter.deadline_ms = decisions.now_ms() + cmd.wait_seconds * 1000;
          waiter.batch = batch.sequence;
          waiter.info = {cmd.op, decisions.product(), pending.received, now_if_measured()};
          waiter.done = std::move(pending.done);
          waiter.token = std::move(pending.token);
          batch.wait_started(pending.command, details.license_id, *store_);
          if (details.held_back) waiter.held_back = std::move(result);
          waiter.command = std::move(pending.command);
          waiters_.park(details.license_id, std::move(waiter));
          return;
        } else {
          result = SeatResult::failure(SeatError::no_seats, "the wait queue is full");
        }
      }
      if (!left) batch.checkout_answered(cmd, details.license_id, result, *store_);
      break;
    }
    case Operation::heartbeat:
      result = decisions.heartbeat(cmd);
      break;
    case Operation::checkin:
      result = decisions.checkin(cmd);
      break;
    case Operation::activate:
      result = decisions.activate(cmd);
      break;
    case Operation::status:
      result = decisions.status(cmd);
      break;
    case Operation::release:
      result = decisions.release(cmd);
      break;
    case Operation::probe:
      // Answers OK without reading or writing: it only proves the pipeline turns.
      batch.outcomes.push_back(
          {std::move(result), std::move(pending.done), {cmd.op, {}, pending.received, {}}});
      return;
  }
  batch.outcomes.push_back({std::move(result),
                            std::move(pending.done),
                            {cmd.op, decisions.product(), pending.received, {}}});
}

void SeatService::serve_waiters(Batch& batch, SeatDecisions& decisions) {
  if (batch.freed.empty()) return;
  std::set<std::int64_t> freed;
  freed.swap(batch.freed);
  add_pool_siblings(freed);
  CheckoutDetails details;
  using Offer = WaitQueue::Offer;
  const WaitQueue::Decide decide = [&](const SeatCommand& command) -> Offer {
    SeatResult result = decisions.checkout(command, details);
    // The site policy keeps this waiter from the units: it waits on, and those behind it that
    // may take them are offered them.
    if (details.held_back) return {Offer::Kind::pass, std::move(result)};
    // Still no room for it: it goes on waiting, and so does everybody behind it.
    if (result.error == SeatError::no_seats) return {Offer::Kind::wait, {}};
    return {Offer::Kind::answer, std::move(result)};
  };
  const WaitQueue::Ended ended = batch.wait_ends(*store_);
  for (std::int64_t license : freed) waiters_.serve(license, decide, batch.outcomes, ended);
}

void SeatService::add_pool_siblings(std::set<std::int64_t>& freed) {
  // Nobody waits on a license that was not freed: the common case, and nothing to read.
  std::vector<std::int64_t> others;
  for (const std::int64_t license : waiters_.licenses())
    if (freed.count(license) == 0) others.push_back(license);
  if (others.empty()) return;
  std::set<std::pair<std::int64_t, std::string>> pools;
  for (const std::int64_t license : freed)
    if (auto row = store_->find_license(license))
      pools.emplace(row->customer_id, row->product_code);
  for (const std::int64_t license : others)
    if (auto row = store_->find_license(license);
        row && pools.count({row->customer_id, row->product_code}) > 0)
      freed.insert(license);
}

}  // namespace lmp::seat
