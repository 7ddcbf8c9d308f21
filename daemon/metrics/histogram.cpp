// Histogram over prometheus::Histogram, and the tallies added to it in one step.
#include "metrics/histogram.hpp"

#include <prometheus/histogram.h>

#include <algorithm>

namespace lmp::metrics {

HistogramTally::HistogramTally(const Histogram& histogram)
    : bounds_(histogram.bounds_), counts_(bounds_->size() + 1, 0) {}

void HistogramTally::observe(double value) {
  // le semantics, as the library's Observe: a value equal to a bound belongs to its bucket.
  const auto at = std::lower_bound(bounds_->begin(), bounds_->end(), value);
  counts_[static_cast<std::size_t>(at - bounds_->begin())] += 1;
  sum_ += value;
  ++observations_;
}

Histogram::Histogram(const Options& bounds)
    : bounds_(std::make_shared<const std::vector<double>>(bounds)),
      impl_(std::make_unique<Impl>(bounds)) {}  // std::invalid_argument unless ascending

Histogram::~Histogram() = default;

void Histogram::observe(double value) {
  impl_->Observe(value);
}

void Histogram::add(HistogramTally& tally) {
  if (tally.observations_ == 0) return;
  // ObserveMultiple adds to every bucket, an atomic compare-and-swap each (18 for the latency
  // buckets): for one observation, its value is the sum and one Observe is cheaper (unpipelined
  // clients make batches of one).
  if (tally.observations_ == 1)
    impl_->Observe(tally.sum_);
  else
    impl_->ObserveMultiple(tally.counts_, tally.sum_);
  std::fill(tally.counts_.begin(), tally.counts_.end(), 0);
  tally.sum_ = 0;
  tally.observations_ = 0;
}

std::uint64_t Histogram::count() const {
  return impl_->Collect().histogram.sample_count;
}

double Histogram::sum() const {
  return impl_->Collect().histogram.sample_sum;
}

prometheus::ClientMetric Histogram::collect() const {
  return impl_->Collect();
}

Histogram::Options latency_buckets() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,    0.1,    0.25,    0.5,    1,     2.5,    5,     10};
}

Histogram::Options wait_buckets() {
  return {0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
}

Histogram::Options batch_size_buckets() {
  return {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};
}

}  // namespace lmp::metrics
