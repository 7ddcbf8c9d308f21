// Registration of the seat metrics and the per-batch tallies behind them.
#include "seat/seat_metrics.hpp"

namespace lmp::seat {
namespace {

using metrics::Counter;
using metrics::Gauge;
using metrics::Histogram;

constexpr Operation kCounted[] = {Operation::activate, Operation::checkout, Operation::heartbeat,
                                  Operation::checkin, Operation::status};

double seconds_between(SteadyTime from, SteadyTime to) {
  return std::chrono::duration<double>(to - from).count();
}

std::size_t index_of(Operation op) {
  return static_cast<std::size_t>(op);
}

}  // namespace

const char* operation_name(Operation op) {
  switch (op) {
    case Operation::activate:
      return "activate";
    case Operation::checkout:
      return "checkout";
    case Operation::heartbeat:
      return "heartbeat";
    case Operation::checkin:
      return "checkin";
    case Operation::status:
      return "status";
    case Operation::release:
      return "release";
    case Operation::probe:
      break;
  }
  return "probe";
}

SeatMetrics::SeatMetrics(metrics::Registry& registry)
    : requests_(registry.add<Counter>(
          "lmp_seat_requests_total",
          "Seat requests answered (seat protocol and HTTP together), by operation.",
          {"operation"})),
      checkouts_(registry.add<Counter>(
          "lmp_checkouts_total",
          "Checkouts granted, new leases and repeated checkouts of a held lease, by product.",
          {"product"})),
      denials_(registry.add<Counter>(
          "lmp_denials_total",
          "Seat requests answered with an error, by operation, error code and product (empty "
          "when the request reached no license or lease).",
          {"operation", "code", "product"})),
      leases_(registry.add<Gauge>(
          "lmp_leases_active",
          "Leases stored: granted and not yet checked in or reclaimed, by product.", {"product"})),
      units_(registry.add<Gauge>("lmp_units_in_use", "Units held by the stored leases, by product.",
                                 {"product"})),
      waiting_(registry
                   .add<Gauge>("lmp_wait_queue_length",
                               "Checkouts waiting in the wait queue for a unit to be freed.")
                   .get()),
      wait_time_(registry
                     .add<Histogram>("lmp_wait_duration_seconds",
                                     "Time checkouts spent in the wait queue until they were "
                                     "served or timed out.",
                                     {}, metrics::wait_buckets())
                     .get()),
      latency_(registry.add<Histogram>(
          "lmp_request_duration_seconds",
          "Time from a seat request's submission to its durable answer being released to the "
          "listener, by operation; requests that waited in the wait queue are left out.",
          {"operation"}, metrics::latency_buckets())),
      batch_size_(registry
                      .add<Histogram>("lmp_commit_batch_size",
                                      "Seat requests decided in one transaction (group commit).",
                                      {}, metrics::batch_size_buckets())
                      .get()),
      commit_time_(registry
                       .add<Histogram>("lmp_commit_duration_seconds",
                                       "Time of one batch's COMMIT, flush excluded.", {},
                                       metrics::latency_buckets())
                       .get()),
      flush_time_(registry
                      .add<Histogram>("lmp_flush_duration_seconds",
                                      "Time of one flush (fdatasync) of the committed batches "
                                      "by the sync thread.",
                                      {}, metrics::latency_buckets())
                      .get()),
      failed_batches_(registry
                          .add<Counter>("lmp_failed_batches_total",
                                        "Batches rolled back after a storage failure; their "
                                        "requests were answered unavailable.")
                          .get()),
      usage_written_(registry.add<Counter>(
          "lmp_usage_records_written_total",
          "Usage records written by the seat path (committed), by event.", {"event"})),
      usage_pruned_(registry
                        .add<Counter>("lmp_usage_records_pruned_total",
                                      "Usage records deleted past their retention "
                                      "(usage.retention_days) by the reclaim sweeps.")
                        .get()),
      units_held_mismatched_(
          registry
              .add<Gauge>("lmp_units_held_mismatched_licenses",
                          "Licenses whose units-held counter differed from their stored leases "
                          "when the sweep last compared them (shared PostgreSQL database; "
                          "reported, never corrected).")
              .get()),
      units_licensed_(registry.add<Gauge>(
          "lmp_units_licensed",
          "Units of the licenses that serve now (active, expiring or in grace), by product.",
          {"product"})),
      expiry_seconds_(registry.add<Gauge>(
          "lmp_license_expiry_seconds",
          "Seconds to the nearest expiry among the licenses of the product that serve now "
          "(negative while one is in grace); no series while none serves.",
          {"product"})),
      batch_waits_(wait_time_) {
  for (Operation op : kCounted) {
    requests_by_op_[index_of(op)] = &requests_.with({operation_name(op)});
    latency_by_op_[index_of(op)] = &latency_.with({operation_name(op)});
  }
}

void SeatMetrics::add_products(const std::vector<std::string>& codes) {
  for (const auto& code : codes) {
    checkouts_.with({code});
    leases_.with({code});
    units_.with({code});
    units_licensed_.with({code});
  }
  std::lock_guard lock(products_mutex_);
  products_.insert(codes.begin(), codes.end());
}

void SeatMetrics::usage_recorded(std::string_view event) {
  ++batch_usage_[event];
}

void SeatMetrics::units_held_mismatched(std::size_t licenses) {
  units_held_mismatched_.set(static_cast<std::int64_t>(licenses));
}

void SeatMetrics::usage_pruned(std::int64_t count) {
  batch_pruned_ += count;
}

void SeatMetrics::publish_usage(bool committed) {
  if (committed) {
    for (const auto& [event, n] : batch_usage_) usage_written_.with({std::string(event)}).add(n);
    if (batch_pruned_ > 0) usage_pruned_.add(static_cast<std::uint64_t>(batch_pruned_));
  }
  batch_usage_.clear();
  batch_pruned_ = 0;
}

void SeatMetrics::set_licensed(const std::map<std::string, LicensedProduct>& by_product) {
  std::set<std::string> products;
  {
    std::lock_guard lock(products_mutex_);
    products = products_;
  }
  nearest_expiry_.clear();
  for (const auto& product : products) {
    auto it = by_product.find(product);
    units_licensed_.with({product}).set(it == by_product.end() ? 0 : it->second.units);
    if (it != by_product.end() && it->second.nearest_expiry_ms)
      nearest_expiry_.emplace(product, *it->second.nearest_expiry_ms);
  }
}

void SeatMetrics::expiry_at(std::int64_t now_ms) {
  for (auto it = expiry_series_.begin(); it != expiry_series_.end();) {
    if (nearest_expiry_.contains(*it)) {
      ++it;
      continue;
    }
    expiry_seconds_.remove({*it});
    it = expiry_series_.erase(it);
  }
  for (const auto& [product, expires_ms] : nearest_expiry_) {
    expiry_seconds_.with({product}).set((expires_ms - now_ms) / 1000);
    expiry_series_.insert(product);
  }
}

void SeatMetrics::lease_added(const std::string& product, std::int64_t units) {
  leases_added(product, 1, units);
}

void SeatMetrics::leases_added(const std::string& product, std::int64_t count, std::int64_t units) {
  auto& change = batch_leases_[product];
  change.first += count;
  change.second += units;
}

void SeatMetrics::lease_removed(const std::string& product, std::int64_t units) {
  auto& change = batch_leases_[product];
  change.first -= 1;
  change.second -= units;
}

void SeatMetrics::answered(const SeatResult& result, const AnswerInfo& info, SteadyTime now) {
  // Not seat requests: the probe is the watchdog's, a release an administrator's.
  if (info.op == Operation::probe || info.op == Operation::release) return;
  ++batch_requests_[index_of(info.op)];
  if (!result.ok())
    ++batch_denials_[{info.op, *result.error, info.product}];
  else if (info.op == Operation::checkout)
    ++batch_checkouts_[info.product];
  if (info.parked != SteadyTime{}) batch_waits_.observe(seconds_between(info.parked, now));
}

void SeatMetrics::end_batch(bool committed, std::size_t commands, double commit_seconds,
                            std::size_t waiting) {
  for (Operation op : kCounted) {
    auto& n = batch_requests_[index_of(op)];
    if (n != 0) requests_by_op_[index_of(op)]->add(n);
    n = 0;
  }
  for (const auto& [product, n] : batch_checkouts_) checkouts_.with({product}).add(n);
  batch_checkouts_.clear();
  for (const auto& [key, n] : batch_denials_) {
    const auto& [op, code, product] = key;
    denials_.with({operation_name(op), std::string(to_string(code)), product}).add(n);
  }
  batch_denials_.clear();
  if (committed) {
    publish_leases();
    commit_time_.observe(commit_seconds);
  } else {
    batch_leases_.clear();
    failed_batches_.add();
  }
  publish_usage(committed);
  wait_time_.add(batch_waits_);
  if (commands > 0) batch_size_.observe(static_cast<double>(commands));
  waiting_.set(static_cast<std::int64_t>(waiting));
}

void SeatMetrics::publish_leases() {
  for (const auto& [product, change] : batch_leases_) {
    if (change.first != 0) leases_.with({product}).add(change.first);
    if (change.second != 0) units_.with({product}).add(change.second);
    lease_products_.insert(product);
  }
  batch_leases_.clear();
}

void SeatMetrics::replace_leases() {
  for (const auto& product : lease_products_) batch_leases_.try_emplace(product);
  for (const auto& [product, total] : batch_leases_) {
    leases_.with({product}).set(total.first);
    units_.with({product}).set(total.second);
    lease_products_.insert(product);
  }
  batch_leases_.clear();
}

void SeatMetrics::flushed(double seconds) {
  flush_time_.observe(seconds);
}

SeatMetrics::LatencyTally::LatencyTally(SeatMetrics& metrics)
    : metrics_(metrics), now_(std::chrono::steady_clock::now()) {}

SeatMetrics::LatencyTally::~LatencyTally() {
  for (std::size_t i = 0; i < by_op_.size(); ++i)
    if (metrics_.latency_by_op_[i] != nullptr) metrics_.latency_by_op_[i]->add(by_op_[i]);
}

void SeatMetrics::LatencyTally::released(const AnswerInfo& info) {
  if (info.received == SteadyTime{} || info.parked != SteadyTime{}) return;
  Histogram* histogram = metrics_.latency_by_op_[index_of(info.op)];
  if (histogram == nullptr) return;  // probes
  if (by_op_.empty()) {
    by_op_.reserve(kOperations);
    for (std::size_t i = 0; i < kOperations; ++i)
      by_op_.emplace_back(*metrics_.latency_by_op_[index_of(Operation::checkout)]);
  }
  by_op_[index_of(info.op)].observe(seconds_between(info.received, now_));
}

}  // namespace lmp::seat
