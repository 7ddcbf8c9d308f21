// Gauge over prometheus::Gauge.
#include "metrics/gauge.hpp"

#include <prometheus/gauge.h>

namespace lmp::metrics {

Gauge::Gauge(const Options&) : impl_(std::make_unique<Impl>()) {}

Gauge::~Gauge() = default;

void Gauge::set(std::int64_t v) {
  impl_->Set(static_cast<double>(v));
}

void Gauge::add(std::int64_t delta) {
  impl_->Increment(static_cast<double>(delta));
}

std::int64_t Gauge::value() const {
  return static_cast<std::int64_t>(impl_->Value());
}

prometheus::ClientMetric Gauge::collect() const {
  return impl_->Collect();
}

}  // namespace lmp::metrics
