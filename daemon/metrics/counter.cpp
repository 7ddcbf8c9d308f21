// Counter over prometheus::Counter.
#include "metrics/counter.hpp"

#include <prometheus/counter.h>

namespace lmp::metrics {

Counter::Counter(const Options&) : impl_(std::make_unique<Impl>()) {}

Counter::~Counter() = default;

void Counter::add(std::uint64_t n) {
  impl_->Increment(static_cast<double>(n));
}

std::uint64_t Counter::value() const {
  return static_cast<std::uint64_t>(impl_->Value());
}

prometheus::ClientMetric Counter::collect() const {
  return impl_->Collect();
}

}  // namespace lmp::metrics
