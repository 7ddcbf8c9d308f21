// The seat path's engine: a batch pipeline that takes the queued commands, decides them in one
// transaction (seat_decisions.hpp), commits concurrent requests together (group commit), answers
// each only after its batch is durable (sync_stage.hpp), and between batches serves the wait
// queue (wait_queue.hpp), sweeps expired leases (reclaim_sweep.hpp), follows steps of the wall
// clock (clock_steps.hpp) and keeps the server's high-water mark of it (clock_marks.hpp). Later
// rules plug in through SeatRules (seat_rules.hpp).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/env.hpp"
#include "domain/clock_guard.hpp"
#include "domain/live_seats.hpp"
#include "seat/cancel_token.hpp"
#include "seat/clock_marks.hpp"
#include "seat/clock_steps.hpp"
#include "seat/pending_answer.hpp"
#include "seat/product_catalog.hpp"
#include "seat/reclaim_sweep.hpp"
#include "seat/seat_command.hpp"
#include "seat/seat_metrics.hpp"
#include "seat/seat_rules.hpp"
#include "seat/units_held_check.hpp"
#include "seat/wait_queue.hpp"

namespace lmp::storage {
class SeatStore;
}  // namespace lmp::storage

namespace lmp::seat {

class SeatDecisions;
class SyncStage;

struct SeatServiceOptions {
  int max_batch = 1024;  // most requests committed in one transaction
  std::int64_t reclaim_interval_ms = 1000;
  int reclaim_limit = 10000;         // most leases reclaimed per sweep
  std::size_t max_waiters = 100000;  // queued `wait` checkouts, all licenses together
  // The database is shared with other instances, whose checkins and sweeps free units this
  // service never sees: retry every queued waiter at each sweep, so a unit freed elsewhere
  // serves a waiter here within reclaim_interval_ms.
  bool shared_database = false;
  // What the service touches of the system (random bytes for lease ids); null: Env::posix().
  // Must outlive the service.
  Env* env = nullptr;
  // The name of this instance, kept with every lease it grants (`server.instance_id`).
  std::string instance;
  // How long usage records are kept (`usage.retention_days`); the reclaim sweeps prune older ones.
  std::int64_t usage_retention_ms = 400LL * 86'400'000;
};

// Thread safety: submit(), replace_catalog(), wake(), stop() and the LiveSeats calls may be
// called from any thread. All storage and plugin work happens on the service's own thread, one
// batch at a time.
class SeatService final : public domain::LiveSeats {
 public:
  // Called exactly once per submitted command, on the service thread (or on the caller's thread
  // when the service is already stopping). Must not block.
  using Completion = seat::Completion;

  SeatService(std::unique_ptr<storage::SeatStore> store,
              std::shared_ptr<const ProductCatalog> catalog, const Clock& clock,
              SeatServiceOptions options);
  ~SeatService() override;
  SeatService(const SeatService&) = delete;
  SeatService& operator=(const SeatService&) = delete;

  // Runs a batch's completions: by default on the service thread, one by one. A transport that
  // wants them on its own thread installs an executor that takes the whole batch's closure at
  // once (one hand-over per batch, not per request). Call before start().
  using Executor = std::function<void(std::function<void()>)>;
  void set_completion_executor(Executor executor);
  // Counts requests, leases and timings into `metrics` (seeded with the stored leases at
  // start()). Call before start(); without it nothing is measured.
  void set_metrics(std::shared_ptr<SeatMetrics> metrics);
  // The gates every checkout passes and the observers of lease changes. Call before start();
  // without it there are none.
  void set_rules(SeatRules rules);
  // The clock guard told of the wall clock and the server's mark at start and at every batch
  // (docs/entitlements.md, "The clock guard"). Call before start().
  void set_clock_guard(std::shared_ptr<domain::ClockGuard> guard) {
    clock_guard_ = std::move(guard);
  }
  // Called once, on the sync thread, when a flush to disk fails. From then on the service
  // acknowledges nothing: the answers that flush was to cover and every later answer are
  // `unavailable`, and no batch is decided any more. The owner should stop the process so that
  // a restart recovers from what is on disk (docs/reliability.md). Must not block. Call before
  // start().
  void set_durability_lost_handler(std::function<void()> handler);

  void start();
  // `token` (may be null) lets the transport end the command's wait (a checkout with `wait`)
  // once its client has gone: cancel(token).
  void submit(SeatCommand command, Completion done,
              std::shared_ptr<const CancelToken> token = nullptr);
  // Submits several commands under one lock, as a connection does for all the lines of a read.
  struct Submission {
    SeatCommand command;
    Completion done;
    std::shared_ptr<const CancelToken> token;
  };
  void submit_many(std::vector<Submission>& submissions);
  // The client of the commands submitted with `token` has gone: those waiting for a unit leave
  // the queue at the next batch, answered `no_seats`, and those not yet decided do not queue.
  void cancel(const std::shared_ptr<CancelToken>& token);
  // Takes effect from the next batch; leases of products that disappear stay until they expire.
  void replace_catalog(std::shared_ptr<const ProductCatalog> catalog);
  // The catalog in force now (the admin API reads products from it).
  std::shared_ptr<const ProductCatalog> catalog() const;
  // Re-reads the clock now instead of at the next tick; lets tests on a ManualClock move fast.
  void wake();
  // Another session freed units of `license_id` (told by the database: storage's
  // DatabaseListener): its waiters here, and those of the customer's other licenses of the
  // product, are offered units at once instead of at the next sweep. kEveryLicense: news may
  // have been lost; every waiter is offered. Any thread.
  static constexpr std::int64_t kEveryLicense = -1;
  void units_freed_elsewhere(std::int64_t license_id);
  // Refuses new commands with `unavailable`, answers everything queued, answers waiters with
  // `unavailable`, commits and joins the thread. Idempotent.
  void stop();

  // Waiters queued now; for tests and metrics.
  std::size_t waiter_count() const;
  // The license's waiters as of the last batch.
  std::int64_t waiting(std::int64_t license_id) const override;
  // Submits the release and waits for its durable answer (delivered on the storage or sync
  // thread, not through the completion executor). Not from the service's own thread.
  bool release(const domain::LeaseRelease& order) override;

 private:
  struct Pending {
    SeatCommand command;
    Completion done;
    SteadyTime received{};  // zero when nothing is measured
    std::shared_ptr<const CancelToken> token;
  };
  class Batch;

  void run();
  void expect_leases(const std::vector<Pending>& work);
  // `withdraw`: a client has gone since the last batch; its waiters leave the queue.
  // `freed`: licenses whose units another session freed (units_freed_elsewhere()).
  void run_batch(std::vector<Pending>& work, bool withdraw, std::set<std::int64_t> freed);
  // As the engine stops: answers every waiter `unavailable`, recording the ends of their waits.
  void release_waiters_at_stop(std::vector<PendingAnswer>& released);
  // After a failed flush: answers `work` and every waiter `unavailable` without deciding.
  void refuse_all(std::vector<Pending>& work);
  void execute(Batch& batch, SeatDecisions& decisions, Pending& pending);
  // Offers the units the batch freed so far to the waiters of their licenses.
  void serve_waiters(Batch& batch, SeatDecisions& decisions);
  // Adds to `freed` the other licenses with waiters that belong to the same customer and product
  // as a license in it: a site policy counts its max and reserve over them together, so a unit
  // returned to one may lift what holds a waiter of another back.
  void add_pool_siblings(std::set<std::int64_t>& freed);
  void deliver(std::vector<PendingAnswer> answers);
  // Sets the lease gauges to the leases stored now.
  void recount_leases();
  // On a shared database no store keeps the leases in memory to hand back the ones an
  // End-of-Life deletion removed (take_purged_leases()): the deletion, by this instance's admin
  // worker or another instance's, shows only as the lease_purge counter moving. When it moved,
  // the gauges are counted again from the database, and every waiter is retried, so that those
  // of a deleted license are answered (end_of_life) now rather than at the next sweep.
  void notice_lease_purge(Batch& batch);
  SteadyTime now_if_measured() const;
  // At a sweep: sets the metrics of the licenses that serve (units licensed, the nearest
  // expiry), reading the licenses again when one was written (the license generation moved) or
  // kLicenseRecountMs after the last reading, since licenses start and end with time alone.
  void count_licenses(std::int64_t now_ms, std::int64_t license_now_ms);
  static constexpr std::int64_t kLicenseRecountMs = 60'000;

  std::unique_ptr<storage::SeatStore> store_;
  Executor executor_;
  const Clock& clock_;
  const SeatServiceOptions options_;
  std::shared_ptr<SeatMetrics> metrics_;
  std::shared_ptr<domain::ClockGuard> clock_guard_;
  SeatRules rules_;
  std::function<void()> on_durability_lost_;
  std::atomic<bool> durability_lost_{false};

  // Shared database: deletes every row saying this instance has waiters (at start, for an
  // earlier run's, and once the last waiters were answered at stop). Logs a failure.
  void forget_advertised_waiters();
  // Publishes the wait queue's size, and its waiters by license, for other threads.
  void publish_waiters();
  // Shared database: writes which licenses this instance now has waiters for, where that
  // changed since the last commit (storage::SeatStore::advertise_waiters); the set written,
  // to keep once committed, or nothing when nothing changed.
  std::optional<std::set<std::int64_t>> advertise_waiters(std::int64_t now_ms);

  // guards queue_, catalog_, stopping_, woken_, withdraw_, waiter_total_, waiting_,
  // freed_elsewhere_, freed_everywhere_
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Pending> queue_;
  std::shared_ptr<const ProductCatalog> catalog_;
  bool stopping_ = false;
  bool woken_ = false;
  bool withdraw_ = false;  // cancel() was called since the last batch
  std::size_t waiter_total_ = 0;
  std::map<std::int64_t, std::int64_t> waiting_;  // waiters by license, as of the last batch
  std::set<std::int64_t> freed_elsewhere_;        // units_freed_elsewhere() since the last batch
  bool freed_everywhere_ = false;                 // ... with kEveryLicense

  // Owned by the service thread.
  WaitQueue waiters_;
  ReclaimSweep reclaim_;
  UnitsHeldCheck units_held_check_;  // shared database only
  ClockStepWatch clock_steps_;
  ServerClockMark clock_mark_;
  std::uint64_t batch_sequence_ = 0;
  std::int64_t lease_purge_ = 0;  // the store's lease_purge() as last seen (shared database)
  // The licenses with waiters here as the database knows them (shared database): as of the
  // last commit.
  std::set<std::int64_t> advertised_waiters_;
  std::int64_t licenses_counted_generation_ = -1;  // count_licenses()' last reading
  std::int64_t licenses_counted_ms_ = 0;
  std::thread thread_;

  // Group commit with the flush taken off the storage thread; null when the store's commit is
  // durable by itself.
  std::unique_ptr<SyncStage> sync_;
};

}  // namespace lmp::seat
