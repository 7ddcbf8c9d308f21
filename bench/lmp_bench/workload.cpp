// Error counting and the merging of per-thread counters.
#include "workload.hpp"

namespace lmp::bench {

void ErrorCounts::add(std::string_view code, std::uint64_t n) {
  for (auto& [name, count] : counts_) {
    if (name == code) {
      count += n;
      return;
    }
  }
  counts_.emplace_back(std::string(code), n);
}

void ErrorCounts::merge(const ErrorCounts& other) {
  for (const auto& [name, count] : other.counts_) add(name, count);
}

std::uint64_t ErrorCounts::total() const {
  std::uint64_t sum = 0;
  for (const auto& entry : counts_) sum += entry.second;
  return sum;
}

std::uint64_t ErrorCounts::count(std::string_view code) const {
  for (const auto& [name, count] : counts_) {
    if (name == code) return count;
  }
  return 0;
}

std::map<std::string, std::uint64_t> ErrorCounts::by_code() const {
  return {counts_.begin(), counts_.end()};
}

void Stats::merge(const Stats& other) {
  latency.merge(other.latency);
  ops += other.ops;
  ok_ops += other.ok_ops;
  errors.merge(other.errors);
  transport_errors += other.transport_errors;
  cleanup_checkins += other.cleanup_checkins;
}

}  // namespace lmp::bench
