// Hears, on a PostgreSQL connection of its own (LISTEN), which licenses another session freed
// units of, so that a waiter on this instance is served within milliseconds rather than at the
// next sweep (docs/scale-out.md, "Waiters across instances").
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace lmp::storage {

// The channel the leases trigger notifies (schema migration 29), with the license id as payload.
inline constexpr const char* kUnitsFreedChannel = "lmp_units_freed";

// Thread safety: the constructor starts a thread of its own, which calls `heard`; stop() and
// the destructor may be called from any other thread.
class UnitsFreedListener {
 public:
  // What was heard: a license id, or kMissed when news may have been lost (at each connection
  // and reconnection: whatever was freed while nobody listened).
  static constexpr std::int64_t kMissed = -1;
  using Heard = std::function<void(std::int64_t license_id)>;

  // `connection`: a libpq connection string. A failure to connect is logged and retried every
  // second until stop(); the sweeps serve the waiters meanwhile.
  UnitsFreedListener(std::string connection, Heard heard);
  ~UnitsFreedListener();
  UnitsFreedListener(const UnitsFreedListener&) = delete;
  UnitsFreedListener& operator=(const UnitsFreedListener&) = delete;

  // Ends the thread; `heard` is not called after it returns. Idempotent.
  void stop();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace lmp::storage
