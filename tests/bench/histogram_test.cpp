// The latency histogram: bucket bounds within 1% of their values, and percentiles of known data.
#include <gtest/gtest.h>

#include <random>

#include "lmp_bench/histogram.hpp"

namespace lmp::bench {
namespace {

TEST(BenchHistogram, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(50), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.min(), 0u);
}

TEST(BenchHistogram, BucketsHoldTheirValuesWithinOnePercent) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    std::uint64_t v = rng() >> (rng() % 64);
    if (v >= (std::uint64_t{1} << LatencyHistogram::kMaxBits)) continue;
    std::size_t index = LatencyHistogram::index_of(v);
    ASSERT_LE(LatencyHistogram::lowest_in(index), v);
    ASSERT_GE(LatencyHistogram::highest_in(index), v);
    std::uint64_t width = LatencyHistogram::highest_in(index) - LatencyHistogram::lowest_in(index);
    ASSERT_LE(static_cast<double>(width), static_cast<double>(v) / 100.0 + 1.0) << v;
  }
  // Neighbouring buckets meet without gaps.
  for (std::size_t i = 0; i + 1 < 4000; ++i) {
    ASSERT_EQ(LatencyHistogram::highest_in(i) + 1, LatencyHistogram::lowest_in(i + 1)) << i;
  }
}

TEST(BenchHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (std::uint64_t v = 1; v <= 100; ++v) h.record(v);
  EXPECT_EQ(h.percentile(50), 50u);
  EXPECT_EQ(h.percentile(99), 99u);
  EXPECT_EQ(h.percentile(100), 100u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_EQ(h.max(), 100u);
}

TEST(BenchHistogram, PercentilesOfAUniformRun) {
  // 1 us .. 100 ms in 1 us steps, in ns: the nearest-rank percentile p is p% of 100 ms.
  LatencyHistogram h;
  for (std::uint64_t us = 1; us <= 100000; ++us) h.record(us * 1000);
  EXPECT_EQ(h.count(), 100000u);
  EXPECT_NEAR(static_cast<double>(h.percentile(50)), 50e6, 50e6 * 0.01);
  EXPECT_NEAR(static_cast<double>(h.percentile(99)), 99e6, 99e6 * 0.01);
  EXPECT_NEAR(static_cast<double>(h.percentile(99.9)), 99.9e6, 99.9e6 * 0.01);
  EXPECT_EQ(h.max(), 100000000u);
  EXPECT_EQ(h.percentile(100), h.max());
}

TEST(BenchHistogram, TailsAreFoundBehindABulk) {
  // 998 fast answers and two slow ones: p99 is fast, p99.9 and max are the slow ones.
  LatencyHistogram h;
  for (int i = 0; i < 998; ++i) h.record(200000);  // 200 us
  h.record(50000000);                              // 50 ms
  h.record(80000000);                              // 80 ms
  EXPECT_NEAR(static_cast<double>(h.percentile(50)), 200000, 2000);
  EXPECT_NEAR(static_cast<double>(h.percentile(99)), 200000, 2000);
  EXPECT_NEAR(static_cast<double>(h.percentile(99.9)), 50000000, 500000);
  EXPECT_EQ(h.max(), 80000000u);
}

TEST(BenchHistogram, MergeAddsCountsAndExtremes) {
  LatencyHistogram a;
  LatencyHistogram b;
  for (int i = 0; i < 100; ++i) a.record(1000);
  for (int i = 0; i < 100; ++i) b.record(3000000);
  a.merge(b);
  EXPECT_EQ(a.count(), 200u);
  EXPECT_EQ(a.min(), 1000u);
  EXPECT_EQ(a.max(), 3000000u);
  EXPECT_NEAR(static_cast<double>(a.percentile(25)), 1000, 10);
  EXPECT_NEAR(static_cast<double>(a.percentile(75)), 3000000, 30000);
}

TEST(BenchHistogram, HugeValuesAreCapped) {
  LatencyHistogram h;
  h.record(UINT64_MAX);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.max(), (std::uint64_t{1} << LatencyHistogram::kMaxBits) - 1);
}

}  // namespace
}  // namespace lmp::bench
