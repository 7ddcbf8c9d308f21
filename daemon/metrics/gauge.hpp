// A value that goes up and down (leases held, requests waiting): prometheus-cpp's Gauge behind a
// header of its own, like Counter.
#pragma once

#include <cstdint>
#include <memory>

namespace prometheus {
class Gauge;
struct ClientMetric;
}  // namespace prometheus

namespace lmp::metrics {

// Thread safety: every method from any thread (an atomic in the library). Values are whole
// numbers, exact up to 2^53.
class Gauge {
 public:
  struct Options {};
  using Impl = prometheus::Gauge;

  explicit Gauge(const Options& = {});
  ~Gauge();
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void set(std::int64_t v);
  void add(std::int64_t delta);
  std::int64_t value() const;
  // The sample without its labels (its Family adds them).
  prometheus::ClientMetric collect() const;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace lmp::metrics
