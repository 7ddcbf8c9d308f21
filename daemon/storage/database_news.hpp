// What the database listener heard of rows that rarely change (so far the counter of End-of-Life
// deletions), so that a seat store on a shared database keeps them from one batch to the next
// instead of reading them in every batch (docs/scale-out.md, "News").
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace lmp::storage {

// Thread safety: every member may be called from any thread.
class DatabaseNews {
 public:
  enum class Topic : std::size_t { lease_purge };
  static constexpr std::size_t kTopics = 1;

  // The payload the database's triggers send on the news channel (schema migration 30).
  static std::optional<Topic> topic_named(std::string_view payload) {
    if (payload == "lease_purge") return Topic::lease_purge;
    return std::nullopt;
  }

  // What a reader of `topic` remembers with what it read: the version read before the rows,
  // or nothing while nobody listens (then what it read holds for its transaction only).
  std::optional<std::uint64_t> version_to_keep(Topic topic) const {
    if (!listening_.load(std::memory_order_acquire)) return std::nullopt;
    return versions_[index(topic)].load(std::memory_order_acquire);
  }
  // True when rows read at `kept` (version_to_keep()) are still the database's.
  bool unchanged_since(Topic topic, std::optional<std::uint64_t> kept) const {
    return kept && listening_.load(std::memory_order_acquire) &&
           versions_[index(topic)].load(std::memory_order_acquire) == *kept;
  }

  // The listener's side.
  void heard(Topic topic) { versions_[index(topic)].fetch_add(1, std::memory_order_acq_rel); }
  // Listening from now on: whatever changed while nobody listened is read again.
  void listening() {
    for (auto& version : versions_) version.fetch_add(1, std::memory_order_acq_rel);
    listening_.store(true, std::memory_order_release);
  }
  void deaf() { listening_.store(false, std::memory_order_release); }

 private:
  static std::size_t index(Topic topic) { return static_cast<std::size_t>(topic); }
  std::array<std::atomic<std::uint64_t>, kTopics> versions_{};
  std::atomic<bool> listening_{false};
};

}  // namespace lmp::storage
