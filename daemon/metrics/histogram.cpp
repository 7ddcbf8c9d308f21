// Bucketing, tallies and the cumulative rendering of histograms.
#include "metrics/histogram.hpp"

#include <algorithm>
#include <stdexcept>

#include "metrics/text_format.hpp"

namespace lmp::metrics {

HistogramTally::HistogramTally(const Histogram& histogram)
    : bounds_(histogram.bounds_), counts_(bounds_->size() + 1, 0) {}

void HistogramTally::observe(double value) {
  const auto at = std::lower_bound(bounds_->begin(), bounds_->end(), value);
  ++counts_[static_cast<std::size_t>(at - bounds_->begin())];
  sum_ += value;
  ++observations_;
}

Histogram::Histogram(const Options& bounds)
    : bounds_(std::make_shared<const std::vector<double>>(bounds)),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds.size() + 1)) {
  if (!std::is_sorted(bounds.begin(), bounds.end()) ||
      std::adjacent_find(bounds.begin(), bounds.end()) != bounds.end())
    throw std::logic_error("histogram bounds must be strictly ascending");
}

std::size_t Histogram::bucket_of(double value) const {
  // le semantics: a value equal to a bound belongs to that bound's bucket.
  return static_cast<std::size_t>(std::lower_bound(bounds_->begin(), bounds_->end(), value) -
                                  bounds_->begin());
}

void Histogram::observe(double value) {
  counts_[bucket_of(value)].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

void Histogram::add(HistogramTally& tally) {
  if (tally.observations_ == 0) return;
  for (std::size_t i = 0; i < tally.counts_.size(); ++i) {
    if (tally.counts_[i] != 0) counts_[i].fetch_add(tally.counts_[i], std::memory_order_relaxed);
    tally.counts_[i] = 0;
  }
  sum_.fetch_add(tally.sum_, std::memory_order_relaxed);
  tally.sum_ = 0;
  tally.observations_ = 0;
}

std::uint64_t Histogram::count() const {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i <= bounds_->size(); ++i)
    total += counts_[i].load(std::memory_order_relaxed);
  return total;
}

void Histogram::render(std::string& out, std::string_view name, const std::string& labels) const {
  const std::string bucket = std::string(name) + "_bucket";
  // The count is the +Inf bucket, read in the same pass, so the two always agree.
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= bounds_->size(); ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    std::string with_le = labels;
    append_label(with_le, "le",
                 i < bounds_->size() ? format_number((*bounds_)[i]) : std::string("+Inf"));
    append_sample(out, bucket, with_le, format_number(cumulative));
  }
  append_sample(out, std::string(name) + "_sum", labels, format_number(sum()));
  append_sample(out, std::string(name) + "_count", labels, format_number(cumulative));
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
