// A distribution over fixed buckets: prometheus-cpp's Histogram behind a header of its own. The
// seat path observes into a HistogramTally, a plain local copy, and adds the tally once per batch
// (Histogram::ObserveMultiple): one lock of the histogram per batch instead of one per request.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace prometheus {
class Histogram;
struct ClientMetric;
}  // namespace prometheus

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
  // Per bucket, not cumulative, the last is +Inf; doubles, as ObserveMultiple takes them.
  std::vector<double> counts_;
  double sum_ = 0;
  std::uint64_t observations_ = 0;
};

// Thread safety: every method from any thread (the library locks the histogram).
class Histogram {
 public:
  // Upper bounds of the buckets, ascending; +Inf is implied. A value equal to a bound counts in
  // that bound's bucket (le).
  using Options = std::vector<double>;
  using Impl = prometheus::Histogram;

  // Throws std::logic_error unless the bounds are strictly ascending.
  explicit Histogram(const Options& bounds);
  ~Histogram();
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void observe(double value);
  // Adds the tally's observations and empties it.
  void add(HistogramTally& tally);

  std::uint64_t count() const;
  double sum() const;
  const std::vector<double>& bounds() const { return *bounds_; }
  // The sample without its labels (its Family adds them).
  prometheus::ClientMetric collect() const;

 private:
  friend class HistogramTally;
  std::shared_ptr<const std::vector<double>> bounds_;
  std::unique_ptr<Impl> impl_;
};

// Bucket bounds used by lmpd: durations in seconds from 50 µs to 10 s, and request counts.
Histogram::Options latency_buckets();
Histogram::Options wait_buckets();
Histogram::Options batch_size_buckets();

}  // namespace lmp::metrics
