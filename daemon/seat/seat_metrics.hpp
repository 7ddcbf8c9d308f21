// The seat path's metrics: requests, checkouts and denials, leases and units held, the wait
// queue, request latency, batch size and commit and flush time. The storage thread gathers a
// batch's numbers in plain local tallies and publishes them once per batch, so a request costs
// no atomic operation and no lock.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "metrics/registry.hpp"
#include "seat/license_figures.hpp"
#include "seat/seat_command.hpp"

namespace lmp::seat {

using SteadyTime = std::chrono::steady_clock::time_point;

// What the metrics need to know about an answer besides the result itself.
struct AnswerInfo {
  Operation op = Operation::probe;  // probes are not counted
  // The product of the license or lease the request reached, never a product the client named
  // (that would let clients grow the label set); empty before the license or lease is found.
  std::string product;
  SteadyTime received{};  // when the request was submitted; zero when not timed
  SteadyTime parked{};    // when it entered the wait queue; zero when it never waited
};

// Thread safety: add_products() and flushed() from any thread; the batch methods only from the
// storage thread of the one SeatService using this object; LatencyTally from any thread.
class SeatMetrics {
 public:
  explicit SeatMetrics(metrics::Registry& registry);

  // Creates the per-product series at zero, so dashboards see every configured product.
  void add_products(const std::vector<std::string>& codes);

  // A lease was written or removed in the current batch.
  void lease_added(const std::string& product, std::int64_t units);
  void lease_removed(const std::string& product, std::int64_t units);
  // `count` leases of `units` in all, counted anew at once (before replace_leases()).
  void leases_added(const std::string& product, std::int64_t count, std::int64_t units);
  // One answer of the current batch, counted with the result it finally has.
  void answered(const SeatResult& result, const AnswerInfo& info, SteadyTime now);
  // Publishes the batch. Lease changes count only when it committed: a rolled back batch
  // changed nothing. `commands` is the number of requests it decided (0: a reclaim-only batch).
  void end_batch(bool committed, std::size_t commands, double commit_seconds, std::size_t waiting);
  // Applies the lease changes gathered so far (end_batch does this for committed batches).
  void publish_leases();
  // Sets the lease gauges to the leases gathered so far taken as totals, every other product's
  // to zero: after every stored lease was counted anew with leases_added() (at start, and on a
  // shared database when leases left it without the seat path seeing them go).
  void replace_leases();
  // One flush by the sync thread.
  void flushed(double seconds);

  // One usage record written in the current batch; counted when the batch commits. REQUIRES:
  // `event` is one of domain::usage_event's constants (it is kept, not copied).
  void usage_recorded(std::string_view event);
  // Licenses whose units-held counter differed from their leases when last compared
  // (units_held_check.hpp).
  void units_held_mismatched(std::size_t licenses);
  // Usage records the current batch deleted past their retention; counted when it commits.
  void usage_pruned(std::int64_t count);
  // Counts the usage records tallied so far when `committed`, else drops them (end_batch does
  // this; a transaction outside the batches calls it itself).
  void publish_usage(bool committed);
  // The licenses that serve now, by product (license_figures.hpp): sets the units licensed of
  // every configured product (0 for those not named) and keeps their nearest expiries for
  // expiry_at(). Products not configured are left out, so the labels stay bounded.
  void set_licensed(const std::map<std::string, LicensedProduct>& by_product);
  // Sets the seconds from `now_ms` to each product's nearest expiry (negative while in grace);
  // a product with no license that serves has no series.
  void expiry_at(std::int64_t now_ms);

  // The latency of answers released together, published on destruction. Answers that waited
  // in the queue are left out here; their wait is in lmp_wait_duration_seconds.
  class LatencyTally {
   public:
    explicit LatencyTally(SeatMetrics& metrics);
    ~LatencyTally();
    LatencyTally(const LatencyTally&) = delete;
    LatencyTally& operator=(const LatencyTally&) = delete;
    void released(const AnswerInfo& info);

   private:
    SeatMetrics& metrics_;
    SteadyTime now_;
    std::vector<metrics::HistogramTally> by_op_;
  };

 private:
  static constexpr std::size_t kOperations = 7;

  metrics::Family<metrics::Counter>& requests_;
  metrics::Family<metrics::Counter>& checkouts_;
  metrics::Family<metrics::Counter>& denials_;
  metrics::Family<metrics::Gauge>& leases_;
  metrics::Family<metrics::Gauge>& units_;
  metrics::Gauge& waiting_;
  metrics::Histogram& wait_time_;
  metrics::Family<metrics::Histogram>& latency_;
  metrics::Histogram& batch_size_;
  metrics::Histogram& commit_time_;
  metrics::Histogram& flush_time_;
  metrics::Counter& failed_batches_;
  metrics::Family<metrics::Counter>& usage_written_;
  metrics::Counter& usage_pruned_;
  metrics::Gauge& units_held_mismatched_;
  metrics::Family<metrics::Gauge>& units_licensed_;
  metrics::Family<metrics::Gauge>& expiry_seconds_;
  std::array<metrics::Counter*, kOperations> requests_by_op_{};
  std::array<metrics::Histogram*, kOperations> latency_by_op_{};

  // The current batch, owned by the storage thread.
  std::array<std::uint64_t, kOperations> batch_requests_{};
  std::map<std::string, std::uint64_t> batch_checkouts_;
  std::map<std::tuple<Operation, SeatError, std::string>, std::uint64_t> batch_denials_;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> batch_leases_;  // leases, units
  metrics::HistogramTally batch_waits_;
  std::set<std::string> lease_products_;  // the products whose lease gauges were ever changed
  std::map<std::string_view, std::uint64_t> batch_usage_;  // records written, by event
  std::int64_t batch_pruned_ = 0;
  // Owned by the storage thread (set_licensed, expiry_at); the configured products under a lock
  // of their own, since add_products() may come from any thread.
  std::map<std::string, std::int64_t> nearest_expiry_;  // ms, by product with a serving license
  std::set<std::string> expiry_series_;                 // the products whose series exists
  std::mutex products_mutex_;
  std::set<std::string> products_;  // configured, ever
};

// "checkout", "heartbeat", ...: the operation label.
const char* operation_name(Operation op);

}  // namespace lmp::seat
