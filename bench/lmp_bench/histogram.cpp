// The latency histogram's bucket arithmetic and percentile walk.
#include "histogram.hpp"

#include <algorithm>
#include <cmath>

namespace lmp::bench {
namespace {
constexpr std::uint64_t kLinear = std::uint64_t{2} << LatencyHistogram::kSubBucketBits;
constexpr std::uint64_t kHalf = kLinear / 2;
constexpr std::size_t kBuckets =
    kLinear +
    static_cast<std::size_t>(LatencyHistogram::kMaxBits - LatencyHistogram::kSubBucketBits - 1) *
        kHalf;
}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBuckets, 0) {}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  if (other.count_) {
    max_ = std::max(max_, other.max_);
    min_ = std::min(min_, other.min_);
  }
}

std::uint64_t LatencyHistogram::lowest_in(std::size_t index) {
  if (index < kLinear) return index;
  std::uint64_t k = index - kLinear;
  std::uint64_t shift = k / kHalf + 1;
  std::uint64_t mantissa = kHalf + k % kHalf;
  return mantissa << shift;
}

std::uint64_t LatencyHistogram::highest_in(std::size_t index) {
  if (index < kLinear) return index;
  std::uint64_t k = index - kLinear;
  std::uint64_t shift = k / kHalf + 1;
  std::uint64_t mantissa = kHalf + k % kHalf;
  return ((mantissa + 1) << shift) - 1;
}

std::uint64_t LatencyHistogram::percentile(double percent) const {
  if (count_ == 0) return 0;
  percent = std::clamp(percent, 0.0, 100.0);
  // The slack keeps 99.9% of 1000 at rank 999, which the double product overshoots.
  double exact = percent / 100.0 * static_cast<double>(count_);
  auto rank = static_cast<std::uint64_t>(std::ceil(exact - 1e-7));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  if (rank == count_) return max_;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      // The middle of the bucket halves the worst error; the exact extremes are known.
      std::uint64_t mid = lowest_in(i) + (highest_in(i) - lowest_in(i)) / 2;
      return std::clamp(mid, min_, max_);
    }
  }
  return max_;
}

}  // namespace lmp::bench
