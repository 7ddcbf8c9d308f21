// Registration and the scrape page.
#include "metrics/registry.hpp"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <iterator>
#include <stdexcept>

namespace lmp::metrics {

void Registry::insert(std::string name, std::unique_ptr<prometheus::Collectable> family) {
  std::lock_guard lock(mutex_);
  for (const auto& [existing, f] : families_)
    if (existing == name) throw std::logic_error("metric " + name + " registered twice");
  families_.emplace_back(std::move(name), std::move(family));
}

std::string Registry::render() const {
  std::vector<prometheus::MetricFamily> families;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, family] : families_) {
      auto collected = family->Collect();
      families.insert(families.end(), std::make_move_iterator(collected.begin()),
                      std::make_move_iterator(collected.end()));
    }
  }
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace lmp::metrics
