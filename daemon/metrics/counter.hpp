// A monotonically increasing count. Updates are relaxed atomic additions: cheap enough for the
// seat path, and a scrape needs no ordering with the rest of the program.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "metrics/text_format.hpp"

namespace lmp::metrics {

class Counter {
 public:
  struct Options {};
  static constexpr std::string_view kType = "counter";

  explicit Counter(const Options& = {}) {}
  void add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

  void render(std::string& out, std::string_view name, const std::string& labels) const {
    append_sample(out, name, labels, format_number(value()));
  }

 private:
  std::atomic<std::uint64_t> value_{0};
};

}  // namespace lmp::metrics
