// The CPU the seat path's metrics cost per answer: batches of checkouts published through
// SeatMetrics as the storage and network threads do (tallies, one end_batch, one latency tally,
// one flush per batch). Uses only SeatMetrics' interface, so the same file builds against an
// older tree to compare metrics modules (docs/benchmarks.md, "Metrics").
//   lmp-seat-metrics-bench [BATCHES] [ANSWERS_PER_BATCH] [ROUNDS]
// Prints the median over the rounds of this thread's CPU ns per answer; run it under
// `valgrind --tool=callgrind` for instruction counts instead.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "domain/usage_record.hpp"
#include "metrics/registry.hpp"
#include "seat/seat_metrics.hpp"

namespace {

double thread_cpu_ns() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

}  // namespace

int main(int argc, char** argv) {
  using lmp::seat::AnswerInfo;
  using lmp::seat::Operation;
  const int batches = argc > 1 ? std::atoi(argv[1]) : 20000;
  const int per_batch = argc > 2 ? std::atoi(argv[2]) : 32;
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 5;
  lmp::metrics::Registry registry;
  lmp::seat::SeatMetrics metrics(registry);
  metrics.add_products({"cad", "agent"});
  const lmp::seat::SeatResult ok;
  AnswerInfo info;
  info.op = Operation::checkout;
  info.product = "cad";
  std::vector<double> per_answer;
  for (int round = 0; round < rounds; ++round) {
    const double start = thread_cpu_ns();
    for (int b = 0; b < batches; ++b) {
      const auto now = std::chrono::steady_clock::now();
      info.received = now - std::chrono::microseconds(300 + b % 700);
      for (int i = 0; i < per_batch; ++i) {
        metrics.lease_added(info.product, 1);
        metrics.usage_recorded(lmp::domain::usage_event::kCheckout);
        metrics.answered(ok, info, now);
      }
      metrics.end_batch(true, static_cast<std::size_t>(per_batch), 0.0004, 0);
      {
        lmp::seat::SeatMetrics::LatencyTally tally(metrics);
        for (int i = 0; i < per_batch; ++i) tally.released(info);
      }
      metrics.flushed(0.002);
    }
    const double answers = static_cast<double>(batches) * per_batch;
    per_answer.push_back(answers > 0 ? (thread_cpu_ns() - start) / answers : 0);
  }
  std::sort(per_answer.begin(), per_answer.end());
  std::printf("%d batches of %d answers, %d rounds: %.1f ns of CPU per answer (median)\n", batches,
              per_batch, rounds, per_answer.empty() ? 0.0 : per_answer[per_answer.size() / 2]);
  return 0;
}
