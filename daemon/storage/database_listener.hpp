// Listens, on a PostgreSQL connection of its own (LISTEN), to what other sessions tell every
// instance: which licenses they freed units of, so that a waiter here is served within
// milliseconds rather than at the next sweep, and which rarely changing rows they changed, so
// that the seat store need not read those in every batch (docs/scale-out.md, "Waiters across
// instances" and "News").
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "storage/database_news.hpp"

namespace lmp::storage {

// The channels the triggers notify: the license id as payload (schema migration 29), and the
// topic's name (migration 30, DatabaseNews::topic_named).
inline constexpr const char* kUnitsFreedChannel = "lmp_units_freed";
inline constexpr const char* kNewsChannel = "lmp_news";

// Thread safety: the constructor starts a thread of its own, which calls `units_freed` and
// tells `news`; stop() and the destructor may be called from any other thread.
class DatabaseListener {
 public:
  // What was heard: a license id, or kMissed when news may have been lost (at each connection
  // and reconnection: whatever was freed while nobody listened).
  static constexpr std::int64_t kMissed = -1;
  using UnitsFreed = std::function<void(std::int64_t license_id)>;

  // `connection`: a libpq connection string. A failure to connect is logged and retried every
  // second until stop(); meanwhile `news` says nobody listens, and the sweeps serve the waiters.
  DatabaseListener(std::string connection, UnitsFreed units_freed,
                   std::shared_ptr<DatabaseNews> news);
  ~DatabaseListener();
  DatabaseListener(const DatabaseListener&) = delete;
  DatabaseListener& operator=(const DatabaseListener&) = delete;

  // Ends the thread; `units_freed` is not called after it returns. Idempotent.
  void stop();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace lmp::storage
