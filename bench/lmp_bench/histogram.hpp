// A latency histogram in the manner of HdrHistogram: log-linear buckets of fixed memory whose
// width is under 1% of the values they hold, so percentiles cost no per-sample storage.
#pragma once

#include <cstdint>
#include <vector>

namespace lmp::bench {

class LatencyHistogram {
 public:
  // 128 buckets per power of two above 256: a bucket spans at most 1/128 (0.8%) of its values.
  static constexpr int kSubBucketBits = 7;
  // Values up to 2^42 ns (about 73 minutes); longer ones are recorded as that.
  static constexpr int kMaxBits = 42;

  LatencyHistogram();

  void record(std::uint64_t value_ns) {
    if (value_ns > kMaxValue) value_ns = kMaxValue;
    ++counts_[index_of(value_ns)];
    ++count_;
    if (value_ns > max_) max_ = value_ns;
    if (value_ns < min_) min_ = value_ns;
  }

  void merge(const LatencyHistogram& other);

  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return count_ ? max_ : 0; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  // The value at or below which `percent` of the samples lie (nearest rank), to within the
  // bucket width; 0 for an empty histogram.
  std::uint64_t percentile(double percent) const;

  static std::size_t index_of(std::uint64_t value) {
    constexpr std::uint64_t kLinear = std::uint64_t{2} << kSubBucketBits;  // 256
    if (value < kLinear) return static_cast<std::size_t>(value);
    int top = 63 - __builtin_clzll(value);  // position of the highest set bit, >= 8
    int shift = top - kSubBucketBits;
    std::uint64_t mantissa = value >> shift;  // in [128, 256)
    return static_cast<std::size_t>(
        kLinear + static_cast<std::uint64_t>(top - kSubBucketBits - 1) * (kLinear / 2) +
        (mantissa - kLinear / 2));
  }
  // Smallest and largest value that land in bucket `index`.
  static std::uint64_t lowest_in(std::size_t index);
  static std::uint64_t highest_in(std::size_t index);

 private:
  static constexpr std::uint64_t kMaxValue = (std::uint64_t{1} << kMaxBits) - 1;

  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
  std::uint64_t min_ = UINT64_MAX;
};

}  // namespace lmp::bench
