// Registration and the scrape page.
#include "metrics/registry.hpp"

#include <stdexcept>

namespace lmp::metrics {

void Registry::insert(std::string name, std::unique_ptr<FamilyBase> family) {
  std::lock_guard lock(mutex_);
  for (const auto& [existing, f] : families_)
    if (existing == name) throw std::logic_error("metric " + name + " registered twice");
  families_.emplace_back(std::move(name), std::move(family));
}

std::string Registry::render() const {
  std::string out;
  out.reserve(16384);
  std::lock_guard lock(mutex_);
  for (const auto& [name, family] : families_) family->render(out);
  return out;
}

}  // namespace lmp::metrics
