// One metric name with its help text and label names, and one child metric per set of label
// values. Children are created on first use and live as long as the family, so a reference to
// one may be kept and updated without any lookup.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "metrics/text_format.hpp"

namespace lmp::metrics {

// What the Registry renders, whatever the metric type.
class FamilyBase {
 public:
  virtual ~FamilyBase() = default;
  virtual void render(std::string& out) const = 0;
};

// Thread safety: with() and render() from any thread. Keep the label values bounded (products
// from the config, error codes): every distinct set is a child kept for the process's lifetime.
template <class Metric>
class Family : public FamilyBase {
 public:
  Family(std::string name, std::string help, std::vector<std::string> labels,
         typename Metric::Options options)
      : name_(std::move(name)),
        help_(std::move(help)),
        labels_(std::move(labels)),
        options_(std::move(options)) {
    if (!valid_metric_name(name_)) throw std::logic_error("invalid metric name " + name_);
    for (const auto& label : labels_)
      if (!valid_label_name(label) || label == "le")
        throw std::logic_error("invalid label name " + label + " on " + name_);
  }

  // The child for these label values, in the order of the label names.
  Metric& with(std::vector<std::string> values) {
    if (values.size() != labels_.size())
      throw std::logic_error("wrong number of label values for " + name_);
    std::lock_guard lock(mutex_);
    auto it = children_.find(values);
    if (it == children_.end()) {
      Child child;
      for (std::size_t i = 0; i < labels_.size(); ++i)
        append_label(child.labels, labels_[i], values[i]);
      child.metric = std::make_unique<Metric>(options_);
      it = children_.emplace(std::move(values), std::move(child)).first;
    }
    return *it->second.metric;
  }
  // Drops the child for these label values, if there is one: it is rendered no more (a gauge
  // whose subject has gone). REQUIRES: no reference to that child is kept.
  void remove(const std::vector<std::string>& values) {
    std::lock_guard lock(mutex_);
    children_.erase(values);
  }
  // The only child of a family without labels.
  Metric& get() { return with({}); }

  void render(std::string& out) const override {
    append_header(out, name_, help_, Metric::kType);
    std::lock_guard lock(mutex_);
    for (const auto& [values, child] : children_) child.metric->render(out, name_, child.labels);
  }

 private:
  struct Child {
    std::string labels;  // rendered once: name="value",...
    std::unique_ptr<Metric> metric;
  };

  const std::string name_;
  const std::string help_;
  const std::vector<std::string> labels_;
  const typename Metric::Options options_;
  mutable std::mutex mutex_;  // guards children_ (the map, not the metrics' values)
  std::map<std::vector<std::string>, Child> children_;
};

}  // namespace lmp::metrics
