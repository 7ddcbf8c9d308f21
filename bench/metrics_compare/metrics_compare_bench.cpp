// lmpd's metrics module against prometheus-cpp (Debian's prometheus-cpp-dev), operation by
// operation as the seat path and a scrape use them: issue #22 asks whether the library would
// cost the seat path anything measurable (docs/benchmarks.md, "Metrics: prometheus-cpp").
#include <benchmark/benchmark.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <memory>
#include <string>
#include <vector>

#include "metrics/counter.hpp"
#include "metrics/histogram.hpp"
#include "metrics/registry.hpp"

namespace {

// One per product, as lmp_checkouts_total: the seat path keeps a reference to the child.
void LmpCounterAdd(benchmark::State& state) {
  static lmp::metrics::Registry registry;
  static auto& counter =
      registry.add<lmp::metrics::Counter>("c_total", "help", {"product"}).with({"cad"});
  for (auto _ : state) counter.add();
  benchmark::DoNotOptimize(counter.value());
}
BENCHMARK(LmpCounterAdd)->Threads(1)->Threads(2);

void PromCounterIncrement(benchmark::State& state) {
  static prometheus::Registry registry;
  static auto& counter =
      prometheus::BuildCounter().Name("c_total").Help("help").Register(registry).Add(
          {{"product", "cad"}});
  for (auto _ : state) counter.Increment();
  benchmark::DoNotOptimize(counter.Value());
}
BENCHMARK(PromCounterIncrement)->Threads(1)->Threads(2);

// Request durations: lmpd tallies a batch locally and adds it once (a batch of 32 here); the
// library observes each one under the histogram's mutex.
void LmpHistogramBatchOf32(benchmark::State& state) {
  static lmp::metrics::Histogram histogram(lmp::metrics::latency_buckets());
  lmp::metrics::HistogramTally tally(histogram);
  double value = 0.0001;
  for (auto _ : state) {
    for (int i = 0; i < 32; ++i) tally.observe(value * i);
    histogram.add(tally);
  }
  state.SetItemsProcessed(state.iterations() * 32);
}
BENCHMARK(LmpHistogramBatchOf32)->Threads(1)->Threads(2);

void PromHistogramBatchOf32(benchmark::State& state) {
  static prometheus::Registry registry;
  const auto bounds = lmp::metrics::latency_buckets();
  static auto& histogram =
      prometheus::BuildHistogram()
          .Name("h_seconds")
          .Help("help")
          .Register(registry)
          .Add({}, prometheus::Histogram::BucketBoundaries(bounds.begin(), bounds.end()));
  double value = 0.0001;
  for (auto _ : state) {
    for (int i = 0; i < 32; ++i) histogram.Observe(value * i);
  }
  state.SetItemsProcessed(state.iterations() * 32);
}
BENCHMARK(PromHistogramBatchOf32)->Threads(1)->Threads(2);

// A scrape: 20 products × 6 counter families and 3 histograms, rendered to text.
void LmpScrape(benchmark::State& state) {
  lmp::metrics::Registry registry;
  for (int f = 0; f < 6; ++f) {
    auto& family = registry.add<lmp::metrics::Counter>("c" + std::to_string(f) + "_total", "help",
                                                       {"product"});
    for (int p = 0; p < 20; ++p) family.with({"product" + std::to_string(p)}).add(p);
  }
  for (int h = 0; h < 3; ++h)
    registry
        .add<lmp::metrics::Histogram>("h" + std::to_string(h) + "_seconds", "help", {},
                                      lmp::metrics::latency_buckets())
        .get()
        .observe(0.001);
  for (auto _ : state) benchmark::DoNotOptimize(registry.render());
}
BENCHMARK(LmpScrape);

void PromScrape(benchmark::State& state) {
  prometheus::Registry registry;
  const auto bounds = lmp::metrics::latency_buckets();
  for (int f = 0; f < 6; ++f) {
    auto& family = prometheus::BuildCounter()
                       .Name("c" + std::to_string(f) + "_total")
                       .Help("help")
                       .Register(registry);
    for (int p = 0; p < 20; ++p)
      family.Add({{"product", "product" + std::to_string(p)}}).Increment(p);
  }
  for (int h = 0; h < 3; ++h)
    prometheus::BuildHistogram()
        .Name("h" + std::to_string(h) + "_seconds")
        .Help("help")
        .Register(registry)
        .Add({}, prometheus::Histogram::BucketBoundaries(bounds.begin(), bounds.end()))
        .Observe(0.001);
  const prometheus::TextSerializer serializer;
  for (auto _ : state) benchmark::DoNotOptimize(serializer.Serialize(registry.Collect()));
}
BENCHMARK(PromScrape);

}  // namespace

BENCHMARK_MAIN();
