// A value that goes up and down (leases held, requests waiting). Relaxed atomics, like Counter.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "metrics/text_format.hpp"

namespace lmp::metrics {

class Gauge {
 public:
  struct Options {};
  static constexpr std::string_view kType = "gauge";

  explicit Gauge(const Options& = {}) {}
  void set(std::int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void add(std::int64_t delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

  void render(std::string& out, std::string_view name, const std::string& labels) const {
    append_sample(out, name, labels, format_number(value()));
  }

 private:
  std::atomic<std::int64_t> value_{0};
};

}  // namespace lmp::metrics
