// The seat path's engine: decides checkouts, heartbeats and checkins against storage, commits
// the writes of concurrent requests together (group commit), answers each request only after its
// batch is durable, queues `wait` checkouts and reclaims expired leases.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "domain/product_lifecycle.hpp"
#include "seat/product_catalog.hpp"
#include "seat/seat_command.hpp"
#include "seat/seat_metrics.hpp"

namespace lmp::storage {
class SeatStore;
class DurabilitySync;
struct LicenseRecord;
}  // namespace lmp::storage

namespace lmp::seat {

struct SeatServiceOptions {
  int max_batch = 1024;  // most requests committed in one transaction
  std::int64_t reclaim_interval_ms = 1000;
  int reclaim_limit = 10000;         // most leases reclaimed per sweep
  std::size_t max_waiters = 100000;  // queued `wait` checkouts, all licenses together
  // The database is shared with other instances, whose checkins and sweeps free units this
  // service never sees: retry every queued waiter at each sweep, so a unit freed elsewhere
  // serves a waiter here within reclaim_interval_ms.
  bool shared_database = false;
};

// Thread safety: submit(), replace_catalog(), wake() and stop() may be called from any thread.
// All storage and plugin work happens on the service's own thread, one batch at a time.
class SeatService {
 public:
  // Called exactly once per submitted command, on the service thread (or on the caller's thread
  // when the service is already stopping). Must not block.
  using Completion = std::function<void(SeatResult)>;

  SeatService(std::unique_ptr<storage::SeatStore> store,
              std::shared_ptr<const ProductCatalog> catalog, const Clock& clock,
              SeatServiceOptions options);
  ~SeatService();
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

  void start();
  void submit(SeatCommand command, Completion done);
  // Submits several commands under one lock, as a connection does for all the lines of a read.
  struct Submission {
    SeatCommand command;
    Completion done;
  };
  void submit_many(std::vector<Submission>& submissions);
  // Takes effect from the next batch; leases of products that disappear stay until they expire.
  void replace_catalog(std::shared_ptr<const ProductCatalog> catalog);
  // The catalog in force now (the admin API reads products from it).
  std::shared_ptr<const ProductCatalog> catalog() const;
  // Re-reads the clock now instead of at the next tick; lets tests on a ManualClock move fast.
  void wake();
  // Refuses new commands with `unavailable`, answers everything queued, answers waiters with
  // `unavailable`, commits and joins the thread. Idempotent.
  void stop();

  // Waiters queued now; for tests and metrics.
  std::size_t waiter_count() const;

 private:
  struct Pending {
    SeatCommand command;
    Completion done;
    SteadyTime received{};  // zero when nothing is measured
  };
  struct Waiter {
    SeatCommand command;
    Completion done;
    std::int64_t deadline_ms = 0;
    std::uint64_t batch = 0;  // the batch that queued it
    AnswerInfo info;
  };
  // The outcome of one command inside a batch, completed after the batch commits.
  struct Outcome {
    SeatResult result;
    Completion done;
    AnswerInfo info;
  };
  class Batch;

  void run();
  void run_batch(std::vector<Pending>& work);
  // Compares how far the wall clock moved since the last batch with how far time passed; a step
  // (a second or more) moves waiter deadlines and the reclaim schedule at once and is
  // applied to the stored lease expiries by the next transaction, so every lease keeps the
  // lifetime it had: a step forward expires nothing, a step back keeps nothing longer.
  void notice_clock_step(const ClockReading& now);
  void shift_lease_expiries(std::int64_t delta_ms);
  void execute(Batch& batch, Pending& pending);
  SeatResult checkout(Batch& batch, const SeatCommand& cmd, bool may_wait, Completion& done,
                      bool& parked);
  SeatResult heartbeat(Batch& batch, const SeatCommand& cmd);
  SeatResult checkin(Batch& batch, const SeatCommand& cmd);
  SeatResult activate(Batch& batch, const SeatCommand& cmd);
  SeatResult status(Batch& batch, const SeatCommand& cmd);
  // Finds the license of `code` and its product. `product` may name the license's own product
  // or, for a suite, one of its components, which is then returned in `component_out`.
  SeatResult find_license(Batch& batch, const std::string& code, const std::string& product,
                          storage::LicenseRecord& license, const CatalogProduct*& product_out,
                          const CatalogProduct** component_out = nullptr);
  // The product's lifecycle at the batch's time: the catalog's dates and the API's together.
  domain::ProductLifecycle lifecycle(Batch& batch, const CatalogProduct& product);
  void serve_waiters(Batch& batch);
  void deliver(std::vector<Outcome> outcomes);
  void run_sync();
  void expire_waiters(Batch& batch);
  void count_lease_change(const std::string& product, std::int64_t units, bool added);
  // Sets the lease gauges to the leases stored now.
  void recount_leases();
  // On a shared database no store keeps the leases in memory to hand back the ones an
  // End-of-Life deletion removed (take_purged_leases()): the deletion, by this instance's admin
  // worker or another instance's, shows only as the lease_purge counter moving. When it moved,
  // the gauges are counted again from the database, and every waiter is retried, so that those
  // of a deleted license are answered (end_of_life) now rather than at the next sweep.
  void notice_lease_purge(Batch& batch);
  SteadyTime now_if_measured() const;

  std::unique_ptr<storage::SeatStore> store_;
  Executor executor_;
  const Clock& clock_;
  const SeatServiceOptions options_;
  std::shared_ptr<SeatMetrics> metrics_;

  mutable std::mutex mutex_;  // guards queue_, catalog_, stopping_, woken_, waiter_total_
  std::condition_variable cv_;
  std::vector<Pending> queue_;
  std::shared_ptr<const ProductCatalog> catalog_;
  bool stopping_ = false;
  bool woken_ = false;
  std::size_t waiter_total_ = 0;

  // Owned by the service thread.
  std::map<std::int64_t, std::deque<Waiter>> waiters_;  // by license id, first come first served
  std::int64_t next_reclaim_ms_ = 0;
  ClockReading last_reading_;           // the clock as the last batch read it
  std::int64_t unshifted_step_ms_ = 0;  // a wall-clock step not yet applied to stored expiries
  std::uint64_t batch_sequence_ = 0;
  std::int64_t parked_license_ = 0;  // where checkout() last queued a waiter
  std::int64_t lease_purge_ = 0;     // the store's lease_purge() as last seen (shared database)
  std::thread thread_;

  // Group commit with the flush taken off the storage thread: committed batches wait here for
  // the sync thread's next flush, while the storage thread decides the next batch.
  std::shared_ptr<storage::DurabilitySync> durability_;
  std::mutex sync_mutex_;  // guards awaiting_sync_ and sync_stopping_
  std::condition_variable sync_cv_;
  std::vector<Outcome> awaiting_sync_;
  bool sync_stopping_ = false;
  std::thread sync_thread_;
};

}  // namespace lmp::seat
