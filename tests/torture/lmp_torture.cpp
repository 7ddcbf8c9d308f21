// lmp-torture: runs a real lmpd under concurrent checkout/heartbeat/checkin load, kills it with
// SIGKILL at random moments, restarts it, and after each restart holds the database file and the
// daemon to the protocol's promises (docs/reliability.md, "Crash torture").
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "database_leases.hpp"
#include "load_client.hpp"
#include "support/daemon_process.hpp"
#include "support/line_client.hpp"
#include "support/test_server.hpp"

namespace lmp::torture {
namespace {

struct Options {
  int rounds = 5;
  int clients = 6;
  std::uint64_t seed = std::random_device{}();
  int min_load_ms = 30;   // the kill comes this long after the load starts...
  int max_load_ms = 300;  // ...at the latest
  std::string dir;        // keep the files here instead of a temporary folder
};

constexpr const char* kUsage =
    "usage: lmp-torture [--rounds N] [--clients N] [--seed N] [--load-ms MIN MAX] [--dir DIR]\n";

std::optional<Options> parse_options(int argc, char** argv) {
  Options options;
  auto number = [&](int& i) -> std::optional<long long> {
    if (i + 1 >= argc) return std::nullopt;
    try {
      std::size_t used = 0;
      const std::string text = argv[++i];
      long long value = std::stoll(text, &used);
      if (used != text.size() || value < 0) return std::nullopt;
      return value;
    } catch (const std::exception&) {
      return std::nullopt;
    }
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    std::optional<long long> value;
    if (arg == "--rounds" && (value = number(i)) && *value >= 1) {
      options.rounds = static_cast<int>(*value);
    } else if (arg == "--clients" && (value = number(i)) && *value >= 1 && *value <= 64) {
      options.clients = static_cast<int>(*value);
    } else if (arg == "--seed" && (value = number(i))) {
      options.seed = static_cast<std::uint64_t>(*value);
    } else if (arg == "--load-ms" && (value = number(i))) {
      options.min_load_ms = static_cast<int>(*value);
      if (!(value = number(i)) || *value < options.min_load_ms) return std::nullopt;
      options.max_load_ms = static_cast<int>(*value);
    } else if (arg == "--dir" && i + 1 < argc) {
      options.dir = argv[++i];
    } else {
      return std::nullopt;
    }
  }
  return options;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The figures of a whole run, printed at the end.
struct Figures {
  LoadCounters load;
  int kills_in_flight = 0;            // kills that left at least one request unanswered
  std::int64_t orphans = 0;           // committed checkouts whose answer the kill swallowed
  std::int64_t checkins_applied = 0;  // unanswered checkins that had been committed
  std::int64_t checkins_not_applied = 0;
  std::int64_t leases_verified = 0;  // acknowledged leases found in the file and heartbeated
  std::vector<double> restart_ms;
};

// A small deployment: a config, two licenses, and the lmpd serving them.
class Deployment {
 public:
  explicit Deployment(const std::filesystem::path& dir) : dir_(dir) {
    std::ofstream(config_path()) << "listeners:\n  seat:\n    address: 127.0.0.1\n    port: 0\n"
                                 << "  admin:\n    enabled: false\n"
                                 << "storage:\n  sqlite:\n    path: lmpd.db\n"
                                 << "plugins:\n  directory: " << LMP_TEST_PLUGIN_DIR
                                 << "\n"
                                 // No lease may expire during a run: every lease in the file
                                 // is then explained by what the clients were told.
                                 << "leases:\n  duration_seconds: 86400\n"
                                 << "products:\n  - code: cad\n    name: CAD\n"
                                 << "    family: software\n    unit: seats\n";
  }

  std::filesystem::path config_path() const { return dir_ / "lmpd.yaml"; }
  std::filesystem::path database() const { return dir_ / "lmpd.db"; }
  std::filesystem::path log_path(int round) const {
    return dir_ / ("lmpd-" + std::to_string(round) + ".log");
  }

  // Creates a license with `lmpd admin`; returns its activation code.
  std::string create_license(std::int64_t units) {
    auto result = test::run_command(
        {LMP_TEST_LMPD_BINARY, "admin", "--config", config_path().string(), "create-license",
         "--customer", "torture", "--product", "cad", "--units", std::to_string(units)});
    auto at = result.out.find("activation code: ");
    if (result.exit_code != 0 || at == std::string::npos)
      throw std::runtime_error("lmpd admin create-license failed: " + result.err);
    return result.out.substr(at + 17, 23);
  }

 private:
  std::filesystem::path dir_;
};

class Torture {
 public:
  Torture(const Options& options, const std::filesystem::path& dir)
      : options_(options), deployment_(dir), random_(options.seed), licenses_(2) {
    // One license small enough that the clients run out of units all the time, one larger.
    licenses_[0].units = 12;
    licenses_[1].units = 60;
    for (auto& license : licenses_) license.code = deployment_.create_license(license.units);
    for (int i = 0; i < options.clients; ++i)
      clients_.push_back(std::make_unique<LoadClient>(licenses_, options.seed + 1 + i));
  }

  // Runs every round; returns true when no promise was broken.
  bool run() {
    start(0);
    test::LineClient admin(daemon_->port());
    for (auto& license : licenses_) {
      auto answer = admin.request("ACTIVATE code=" + license.code);
      license.id = std::stoll(test::fields_of(answer)["license"]);
    }
    for (int round = 1; round <= options_.rounds && failures_.empty(); ++round) {
      const int unanswered = load_and_kill();
      if (unanswered > 0) ++figures_.kills_in_flight;
      start(round);
      verify(round, unanswered);
    }
    // The run ends with a clean stop, which must work after all those crashes.
    if (daemon_->terminate() != 0) failures_.push_back("lmpd did not stop cleanly at the end");
    for (const auto& client : clients_) {
      figures_.load += client->counters();
      for (const auto& failure : client->failures()) failures_.push_back(failure);
    }
    return failures_.empty();
  }

  void report(std::ostream& out, double seconds) const {
    auto sorted = figures_.restart_ms;
    std::sort(sorted.begin(), sorted.end());
    const auto& l = figures_.load;
    out << "lmp-torture: " << options_.rounds << " rounds, " << options_.clients
        << " clients, seed " << options_.seed << ", " << seconds << " s\n"
        << "  SIGKILLs: " << options_.rounds << " (" << figures_.kills_in_flight
        << " with requests in flight)\n"
        << "  acknowledged: " << l.checkouts_ok << " checkouts, " << l.heartbeats_ok
        << " heartbeats, " << l.checkins_ok << " checkins; " << l.no_seats << " no_seats\n"
        << "  unanswered at a kill: " << l.unanswered_checkouts << " checkouts, "
        << l.unanswered_heartbeats << " heartbeats, " << l.unanswered_checkins << " checkins\n"
        << "  of those, found committed: " << figures_.orphans << " checkouts, "
        << figures_.checkins_applied << " checkins (" << figures_.checkins_not_applied
        << " checkins not committed)\n"
        << "  acknowledged leases checked after restarts: " << figures_.leases_verified << "\n";
    if (!sorted.empty())
      out << "  restart until listening: median " << sorted[sorted.size() / 2] << " ms, max "
          << sorted.back() << " ms\n";
    out << "  broken promises: " << failures_.size() << "\n";
    for (const auto& failure : failures_) out << "    " << failure << "\n";
  }

 private:
  void start(int round) {
    const auto begin = std::chrono::steady_clock::now();
    daemon_ = std::make_unique<test::DaemonProcess>(deployment_.config_path(),
                                                    deployment_.log_path(round));
    if (round > 0)
      figures_.restart_ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin)
              .count());
  }

  // Load from every client until the kill; returns how many requests it left unanswered.
  int load_and_kill() {
    std::atomic<bool> stop{false};
    std::atomic<int> unanswered{0};
    std::vector<std::thread> threads;
    for (auto& client : clients_)
      threads.emplace_back(
          [&, port = daemon_->port(), c = client.get()] { unanswered += c->run(port, stop); });
    std::uniform_int_distribution<int> after(options_.min_load_ms, options_.max_load_ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(after(random_)));
    daemon_->kill_hard();
    stop = true;
    for (auto& thread : threads) thread.join();
    return unanswered;
  }

  void fail(int round, const std::string& what) {
    failures_.push_back("round " + std::to_string(round) + ": " + what);
  }

  // The three promises, first against the file, then through the restarted daemon.
  void verify(int round, int unanswered) {
    const auto stored = read_stored_leases(deployment_.database());
    const std::int64_t now = now_ms();
    test::LineClient c(daemon_->port());

    // No license has more units granted than it owns, and the daemon counts exactly the live
    // leases of the file as in use.
    for (const auto& license : licenses_) {
      std::int64_t live_units = 0;
      for (const auto& [id, lease] : stored)
        if (lease.license_id == license.id && lease.expires_at_ms > now) live_units += lease.units;
      if (live_units > license.units)
        fail(round, "license " + std::to_string(license.id) + " has " + std::to_string(live_units) +
                        " units granted of " + std::to_string(license.units));
      const auto used = test::fields_of(c.request("STATUS code=" + license.code))["used"];
      if (used != std::to_string(live_units))
        fail(round, "license " + std::to_string(license.id) + ": STATUS says used=" + used +
                        " but the file holds " + std::to_string(live_units) + " live units");
    }

    // Every acknowledged lease is in the file, at least as long as acknowledged, and valid.
    std::set<std::string> known;
    for (auto& client : clients_) {
      for (auto& id : client->take_released()) checked_in_.insert(std::move(id));
      std::vector<std::string> settled;
      for (auto& [id, lease] : client->leases()) {
        known.insert(id);
        auto found = stored.find(id);
        const bool present = found != stored.end();
        if (lease.checkin_unanswered) {
          // Either outcome is allowed (its units were uncounted when the CHECKIN was sent); the
          // lease is settled now.
          if (present) {
            ++figures_.checkins_applied;
            if (c.request("CHECKIN lease=" + id) != "OK")
              fail(round, "lease " + id + " is in the file but CHECKIN failed");
          } else {
            ++figures_.checkins_not_applied;
          }
          settled.push_back(id);
          continue;
        }
        ++figures_.leases_verified;
        if (!present) {
          fail(round, "acknowledged lease " + id + " is missing from the file");
          continue;
        }
        const auto& row = found->second;
        if (row.license_id != licenses_[lease.license].id || row.units != lease.units ||
            row.expires_at_ms / 1000 < lease.acknowledged_expires || row.expires_at_ms <= now)
          fail(round, "acknowledged lease " + id + " is stored differently (license " +
                          std::to_string(row.license_id) + ", " + std::to_string(row.units) +
                          " units, expires " + std::to_string(row.expires_at_ms) + " ms)");
        auto answer = c.request("HEARTBEAT lease=" + id);
        if (test::status_of(answer) != "OK")
          fail(round, "HEARTBEAT of acknowledged lease " + id + " answered " + answer);
        else
          lease.acknowledged_expires = std::stoll(test::fields_of(answer)["expires"]);
      }
      for (const auto& id : settled) client->checked_in(id);
    }

    // Leases nobody was told about come only from checkouts whose answer the kill swallowed;
    // they are checked in so the licenses do not fill up over the rounds.
    std::int64_t orphans = 0;
    for (const auto& [id, lease] : stored) {
      if (known.contains(id)) continue;
      if (checked_in_.contains(id)) {
        fail(round, "lease " + id + " was checked in, yet it is in the file again");
        continue;
      }
      ++orphans;
      if (c.request("CHECKIN lease=" + id) != "OK")
        fail(round, "lease " + id + " is in the file but CHECKIN failed");
    }
    figures_.orphans += orphans;
    if (orphans > unanswered)
      fail(round, std::to_string(orphans) + " unknown leases in the file, but only " +
                      std::to_string(unanswered) + " requests were unanswered");

    // Everything settled: in use is exactly what the clients hold.
    for (const auto& license : licenses_) {
      const auto used = test::fields_of(c.request("STATUS code=" + license.code))["used"];
      if (used != std::to_string(license.acknowledged_units.load()))
        fail(round, "license " + std::to_string(license.id) + ": STATUS says used=" + used +
                        " but the clients hold " +
                        std::to_string(license.acknowledged_units.load()) + " units");
    }
  }

  Options options_;
  Deployment deployment_;
  std::mt19937_64 random_;
  std::vector<TortureLicense> licenses_;
  std::vector<std::unique_ptr<LoadClient>> clients_;
  std::unique_ptr<test::DaemonProcess> daemon_;
  std::set<std::string> checked_in_;  // acknowledged checkins, which must never come back
  Figures figures_;
  std::vector<std::string> failures_;
};

}  // namespace
}  // namespace lmp::torture

int main(int argc, char** argv) {
  using namespace lmp;
  auto options = torture::parse_options(argc, argv);
  if (!options) {
    std::cerr << torture::kUsage;
    return 2;
  }
  std::optional<test::TempDir> temporary;
  std::filesystem::path dir = options->dir;
  if (dir.empty()) {
    temporary.emplace();
    dir = temporary->path();
  } else {
    std::filesystem::create_directories(dir);
  }
  const auto begin = std::chrono::steady_clock::now();
  try {
    torture::Torture torture(*options, dir);
    const bool kept = torture.run();
    torture.report(std::cout,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
    if (!kept && temporary) std::cout << "lmpd logs and database were in " << dir << "\n";
    return kept ? 0 : 1;
  } catch (const std::exception& ex) {
    std::cerr << "lmp-torture: " << ex.what() << "\n";
    return 1;
  }
}
