// One metric name with its help text and label names, and one child metric per set of label
// values. Children are created on first use and live as long as the family, so a reference to
// one may be kept and updated without any lookup. lmpd's own rather than prometheus::Family so
// that a scrape keeps the labels in the order they are declared (prometheus::Family sorts them
// by name) and the children in a fixed order.
#pragma once

#include <prometheus/collectable.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "metrics/counter.hpp"
#include "metrics/gauge.hpp"
#include "metrics/histogram.hpp"

namespace lmp::metrics {

// Thread safety: with(), remove() and Collect() from any thread. Keep the label values bounded
// (products from the config, error codes): every distinct set is a child kept until removed.
template <class Metric>
class Family final : public prometheus::Collectable {
 public:
  // Throws std::logic_error for an invalid metric or label name, a label named `le`, or help
  // text holding a backslash or a line feed (prometheus-cpp 1.0 writes help text unescaped).
  Family(std::string name, std::string help, std::vector<std::string> labels,
         typename Metric::Options options);
  ~Family() override;

  // The child for these label values, in the order of the label names.
  Metric& with(std::vector<std::string> values);
  // Drops the child for these label values, if there is one: it is rendered no more (a gauge
  // whose subject has gone). REQUIRES: no reference to that child is kept.
  void remove(const std::vector<std::string>& values);
  // The only child of a family without labels.
  Metric& get() { return with({}); }

  // The family and its children, labels in declared order, children ordered by label values.
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> labels_;
  const typename Metric::Options options_;
  mutable std::mutex mutex_;  // guards children_ (the map, not the metrics' values)
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> children_;
};

extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

}  // namespace lmp::metrics
