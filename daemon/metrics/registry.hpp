// Every metric family of the process, in registration order, and the scrape: one text page in
// the Prometheus exposition format.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "metrics/counter.hpp"
#include "metrics/family.hpp"
#include "metrics/gauge.hpp"
#include "metrics/histogram.hpp"

namespace lmp::metrics {

// Thread safety: add() and render() from any thread; families live as long as the registry.
class Registry {
 public:
  // Throws std::logic_error for an invalid or already registered name.
  template <class Metric>
  Family<Metric>& add(std::string name, std::string help, std::vector<std::string> labels = {},
                      typename Metric::Options options = {}) {
    auto family = std::make_unique<Family<Metric>>(name, std::move(help), std::move(labels),
                                                   std::move(options));
    auto& ref = *family;
    insert(std::move(name), std::move(family));
    return ref;
  }

  // A family that renders itself (ProcessMetrics, read at each scrape), under `name`.
  void add_family(std::string name, std::unique_ptr<FamilyBase> family) {
    insert(std::move(name), std::move(family));
  }

  std::string render() const;

 private:
  void insert(std::string name, std::unique_ptr<FamilyBase> family);

  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, std::unique_ptr<FamilyBase>>> families_;
};

}  // namespace lmp::metrics
