// Every metric family of the process, in registration order, and the scrape: one text page in
// the Prometheus exposition format, written by prometheus-cpp's TextSerializer.
#pragma once

#include <prometheus/collectable.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "metrics/family.hpp"

namespace lmp::metrics {

// The Content-Type a scrape answer carries (the text format, version 0.0.4).
inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

// Thread safety: add(), add_family() and render() from any thread; families live as long as
// the registry.
class Registry {
 public:
  // Throws std::logic_error for an invalid or already registered name (Family's checks).
  template <class Metric>
  Family<Metric>& add(std::string name, std::string help, std::vector<std::string> labels = {},
                      typename Metric::Options options = {}) {
    auto family = std::make_unique<Family<Metric>>(name, std::move(help), std::move(labels),
                                                   std::move(options));
    auto& ref = *family;
    insert(std::move(name), std::move(family));
    return ref;
  }

  // A collector that reads its values itself (ProcessMetrics, read at each scrape), under `name`.
  void add_family(std::string name, std::unique_ptr<prometheus::Collectable> family) {
    insert(std::move(name), std::move(family));
  }

  std::string render() const;

 private:
  void insert(std::string name, std::unique_ptr<prometheus::Collectable> family);

  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, std::unique_ptr<prometheus::Collectable>>> families_;
};

}  // namespace lmp::metrics
