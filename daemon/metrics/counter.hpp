// A monotonically increasing count: prometheus-cpp's Counter behind a header of its own, so the
// code that counts (the seat path, the listeners) includes no prometheus-cpp header.
#pragma once

#include <cstdint>
#include <memory>

namespace prometheus {
class Counter;
struct ClientMetric;
}  // namespace prometheus

namespace lmp::metrics {

// Thread safety: add() and value() from any thread (an atomic in the library).
class Counter {
 public:
  struct Options {};
  using Impl = prometheus::Counter;

  explicit Counter(const Options& = {});
  ~Counter();
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void add(std::uint64_t n = 1);
  std::uint64_t value() const;
  // The sample without its labels (its Family adds them).
  prometheus::ClientMetric collect() const;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace lmp::metrics
