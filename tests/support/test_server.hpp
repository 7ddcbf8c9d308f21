// An lmpd assembled in the test process on a ManualClock and a fresh SQLite file, serving on a
// real loopback port; plus helpers to create licenses in its database.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "app/daemon.hpp"
#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/env.hpp"

namespace lmp::test {

// A temporary folder removed with its contents when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Unix ms of 2026-01-01T00:00:00Z: tests start their clocks here.
inline constexpr std::int64_t kTestEpochMs = 1767225600000;

// A config with one software product "cad" (seats), "agent" (endpoints), the plugin folder of
// the build tree and the database in `dir`; both listeners on loopback ports picked by the kernel.
config::Config base_config(const std::filesystem::path& dir);

// Appends a product to `config`'s products; `components` make it a suite.
void add_product(config::Config& config, std::string code, std::string family, sdk::UnitType unit,
                 std::vector<std::string> components = {});

struct LicenseSpec {
  std::string customer = "acme";
  std::string product = "cad";
  std::int64_t units = 5;
  sdk::UnitType unit = sdk::UnitType::seats;
  std::int64_t starts_at_ms = kTestEpochMs - 86400000;
  std::int64_t expires_at_ms = kTestEpochMs + 365LL * 86400000;
};

// Creates the customer if needed and a license in the config's database; returns the formatted
// activation code.
std::string create_license(const config::Config& config, const LicenseSpec& spec);

class TestServer {
 public:
  // `env` must outlive the server.
  explicit TestServer(config::Config config, std::int64_t start_ms = kTestEpochMs,
                      Env& env = Env::posix());
  ~TestServer();

  std::uint16_t port() const { return port_; }              // the seat protocol
  std::uint16_t admin_port() const { return admin_port_; }  // HTTP; 0 when disabled
  ManualClock& clock() { return clock_; }
  // Moves the clock and makes the server look at it at once.
  void advance_seconds(std::int64_t seconds);
  // Sets the wall clock forward (or back, when negative) without time passing, as an
  // administrator or a broken NTP would, and makes the server look at it at once.
  void step_wall_clock_seconds(std::int64_t seconds);
  void stop();
  // Whether the daemon stopped by itself within `timeout` (its run() returned), and said it
  // failed (a flush to disk failed).
  bool stopped_by_itself(std::chrono::milliseconds timeout);
  bool failed() const { return daemon_ && daemon_->failed(); }
  // Daemon::reload: the problems that made it keep the old config, or none.
  std::vector<std::string> reload(const config::Config& config) { return daemon_->reload(config); }

 private:
  ManualClock clock_;
  std::unique_ptr<app::Daemon> daemon_;
  std::thread thread_;
  std::atomic<bool> ran_{false};  // run() returned
  std::uint16_t port_ = 0;
  std::uint16_t admin_port_ = 0;
};

}  // namespace lmp::test
