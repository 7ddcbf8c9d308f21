// Families of counters, gauges and histograms: their checks, children and collection.
#include "metrics/family.hpp"

#include <prometheus/check_names.h>
#include <prometheus/client_metric.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>

#include <stdexcept>
#include <utility>

namespace lmp::metrics {

template <class Metric>
Family<Metric>::Family(std::string name, std::string help, std::vector<std::string> labels,
                       typename Metric::Options options)
    : name_(std::move(name)),
      help_(std::move(help)),
      labels_(std::move(labels)),
      options_(std::move(options)) {
  if (!prometheus::CheckMetricName(name_)) throw std::logic_error("invalid metric name " + name_);
  for (const auto& label : labels_)
    if (!prometheus::CheckLabelName(label) || label == "le")
      throw std::logic_error("invalid label name " + label + " on " + name_);
  if (help_.find_first_of("\\\n") != std::string::npos)
    throw std::logic_error("help text of " + name_ + " holds a backslash or a line feed");
}

template <class Metric>
Family<Metric>::~Family() = default;

template <class Metric>
Metric& Family<Metric>::with(std::vector<std::string> values) {
  if (values.size() != labels_.size())
    throw std::logic_error("wrong number of label values for " + name_);
  std::lock_guard lock(mutex_);
  auto it = children_.find(values);
  if (it == children_.end())
    it = children_.emplace(std::move(values), std::make_unique<Metric>(options_)).first;
  return *it->second;
}

template <class Metric>
void Family<Metric>::remove(const std::vector<std::string>& values) {
  std::lock_guard lock(mutex_);
  children_.erase(values);
}

template <class Metric>
std::vector<prometheus::MetricFamily> Family<Metric>::Collect() const {
  prometheus::MetricFamily family;
  family.name = name_;
  family.help = help_;
  family.type = Metric::Impl::metric_type;
  std::lock_guard lock(mutex_);
  family.metric.reserve(children_.size());
  for (const auto& [values, metric] : children_) {
    prometheus::ClientMetric sample = metric->collect();
    sample.label.reserve(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) sample.label.push_back({labels_[i], values[i]});
    family.metric.push_back(std::move(sample));
  }
  std::vector<prometheus::MetricFamily> out;
  out.push_back(std::move(family));
  return out;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

}  // namespace lmp::metrics
