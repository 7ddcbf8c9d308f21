// A distribution over fixed buckets (Prometheus histogram). The seat path observes into a
// HistogramTally, a plain local copy, and adds the tally once per batch: a handful of relaxed
// atomic additions per batch instead of several per request.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lmp::metrics {

class Histogram;

// Observations not yet added to a Histogram; owned by one thread.
class HistogramTally {
 public:
  explicit HistogramTally(const Histogram& histogram);
  void observe(double value);
  bool empty() const { return observations_ == 0; }

 private:
  friend class Histogram;
  std::shared_ptr<const std::vector<double>> bounds_;
  std::vector<std::uint64_t> counts_;  // per bucket, not cumulative; the last is +Inf
  double sum_ = 0;
  std::uint64_t observations_ = 0;
};

class Histogram {
 public:
  // Upper bounds of the buckets, ascending; +Inf is implied.
  using Options = std::vector<double>;
  static constexpr std::string_view kType = "histogram";

  explicit Histogram(const Options& bounds);
  void observe(double value);
  // Adds the tally's observations and empties it.
  void add(HistogramTally& tally);

  std::uint64_t count() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  const std::vector<double>& bounds() const { return *bounds_; }

  // name_bucket{...,le="..."} cumulative, name_sum and name_count.
  void render(std::string& out, std::string_view name, const std::string& labels) const;

 private:
  friend class HistogramTally;
  std::size_t bucket_of(double value) const;

  std::shared_ptr<const std::vector<double>> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // bounds_->size() + 1 buckets
  std::atomic<double> sum_{0};
};

// Bucket bounds used by lmpd: durations in seconds from 50 µs to 10 s, and request counts.
Histogram::Options latency_buckets();
Histogram::Options wait_buckets();
Histogram::Options batch_size_buckets();

}  // namespace lmp::metrics
