// The whole server assembled from a config: plugins, product catalog, storage, seat service and
// listeners. main() runs one; end-to-end tests run one in-process on an injected clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/env.hpp"

namespace lmp {
class Clock;
}

namespace lmp::app {

// Startup failed; what() holds one line per problem.
class StartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What --check-config reports: every problem with the config and the plugins it names, one line
// each; empty when lmpd would start with this config.
std::vector<std::string> check_config_and_plugins(const config::Config& config);

// Thread safety: construct, start() and run() on one thread; stop() from any thread (it is what
// a signal handler or a test calls).
class Daemon {
 public:
  // Loads plugins, binds products to families and opens storage; throws StartupError. What it
  // touches of the system (the database lock, the WAL flush, random bytes, the open-file limit)
  // goes through `env`, which must outlive the daemon.
  Daemon(config::Config config, const Clock& clock, Env& env = Env::posix());
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Starts the storage thread and binds the listeners (seat protocol, HTTP); throws StartupError.
  void start();
  // Serves on the calling thread until stop() has drained everything.
  void run();
  // Stops accepting, answers what is in flight, commits and makes run() return.
  void stop();
  // Applies a new config's products, lease settings and log level without dropping connections
  // or leases. Returns the problems that made it refuse the new config (the old one then stays
  // in force); settings that need a restart (listeners, storage, plugin folder) are logged.
  std::vector<std::string> reload(const config::Config& config);
  std::uint16_t seat_port() const;
  // The HTTP listener's port (seat operations, health, admin API); 0 when it is disabled.
  std::uint16_t admin_port() const;
  // Re-checks the clock at once (tests on a ManualClock).
  void wake();
  // True once a flush to disk failed: the daemon then stops by itself (run() returns) and
  // acknowledges nothing more; the process should exit with a failure status.
  bool failed() const;
  // Calls `alive` on the serving thread every `every`, each time only after a probe has gone
  // through the storage thread, its flush and back: a wedged storage or network thread stops the
  // calls, and systemd's watchdog then restarts lmpd. Call after start(), before run().
  void watch_liveness(std::chrono::microseconds every, std::function<void()> alive);

 private:
  void wait_for_connections(std::chrono::steady_clock::time_point deadline);
  // Arms the End-of-Life sweep's next run (domain/end_of_life_sweep.hpp) on the admin worker.
  void sweep_end_of_life();
  // Arms the usage roll-up sweep's next run (domain/usage_rollups.hpp) on the admin worker,
  // after `delay` (none while hours are still to roll up).
  void sweep_usage_rollups(std::chrono::milliseconds delay);
  // Raises the soft open-file limit to cover the listeners' max_connections, or warns.
  void ensure_fd_limit();
  // Makes the server signing key and the site id when the database has none (the first start).
  void ensure_signing_key();
  // Reads the site's policy file and makes the stored policies from files its policies, in one
  // transaction on the admin worker. Returns every problem as file:line:column: message; then
  // nothing changed.
  std::vector<std::string> apply_policy_file(const std::string& path);
  // Imports the `*.jws` files of the watched folder (entitlements.directory), each in its own
  // transaction on the admin worker, and waits for them. A bad file, or a folder that cannot be
  // read, is logged (and a bad file audited); nothing here stops a start or a reload.
  void import_entitlement_folder(const std::string& folder);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lmp::app
