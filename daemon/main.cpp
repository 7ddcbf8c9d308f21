// lmpd's entry point: run the server, check a config, or administer licenses.
#include <pthread.h>
#include <signal.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "admin/admin_cli.hpp"
#include "app/daemon.hpp"
#include "app/systemd_notifier.hpp"
#include "config/config_loader.hpp"
#include "core/clock.hpp"
#include "core/command_line.hpp"
#include "core/log.hpp"

namespace {

// lmpd as the shared parser sees it (core/command_line.hpp). `lmpd admin` is a program of its
// own (admin/admin_cli.hpp), taken before this one parses.
lmp::cli::Program lmpd_program() {
  return lmp::cli::Program{
      .name = "lmpd",
      .version = LMP_VERSION,
      .summary =
          "The lmpd license server: seats over the line protocol and HTTP, the admin API, "
          "product-family plugins.",
      .synopsis = {"[--config FILE]", "--check-config FILE", "admin [--config FILE] COMMAND ...",
                   "--version"},
      .options = {{.name = "config",
                   .value = "FILE",
                   .description =
                       "run the license server with this config (default " LMP_DEFAULT_CONFIG ")"},
                  {.name = "check-config",
                   .value = "FILE",
                   .description = "report every problem with FILE and its plugins; exit 0 if lmpd "
                                  "would start"}},
      .details =
          "Commands:\n"
          "  admin           create the parent account, customers and licenses in the\n"
          "                  database (`lmpd admin --help` lists its commands)\n"
          "\n"
          "SIGHUP reloads the config; SIGINT and SIGTERM stop the server.\n\n"
          "Exit status: 0 stopped, 1 the config or the start failed, 2 a usage error.\n"};
}

int check_config(const std::string& path) {
  auto loaded = lmp::config::load_file(path);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
    return 1;
  }
  auto problems = lmp::app::check_config_and_plugins(*loaded.config);
  for (const auto& line : problems) std::cerr << line << "\n";
  if (!problems.empty()) return 1;
  std::cout << path << ": ok (" << loaded.config->products.size() << " products)\n";
  return 0;
}

// Signals are taken by one thread with sigwait, so no handler ever runs inside the server's
// own threads and the reload can do ordinary work.
int serve(const std::string& path) {
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGUSR1}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // inherited by every thread created below

  auto loaded = lmp::config::load_file(path);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
    return 1;
  }
  lmp::SystemClock clock;
  const auto systemd = lmp::app::SystemdNotifier::from_environment();
  try {
    lmp::app::Daemon daemon(*loaded.config, clock);
    daemon.start();
    std::thread signal_thread([&daemon, &signals, &systemd, path] {
      for (;;) {
        int sig = 0;
        if (sigwait(&signals, &sig) != 0) continue;
        if (sig == SIGHUP) {
          systemd.send(lmp::app::SystemdNotifier::reloading_message());
          auto reloaded = lmp::config::load_file(path);
          std::vector<std::string> problems;
          if (!reloaded.ok()) {
            for (const auto& e : reloaded.errors) problems.push_back(e.to_string());
          } else {
            problems = daemon.reload(*reloaded.config);
          }
          for (const auto& line : problems) lmp::log::error("reload_rejected", {{"problem", line}});
          if (!problems.empty())
            lmp::log::error("reload_failed", {{"config", path}, {"kept", "previous config"}});
          // A refused reload still leaves lmpd serving (on the old config): READY either way,
          // with the outcome in STATUS for `systemctl status`.
          systemd.send(problems.empty() ? "READY=1\nSTATUS=serving; config reloaded"
                                        : "READY=1\nSTATUS=serving; reload refused, previous "
                                          "config kept (see the log)");
          continue;
        }
        if (sig == SIGINT || sig == SIGTERM)
          lmp::log::info("signal_received", {{"signal", strsignal(sig)}});
        systemd.send("STOPPING=1\nSTATUS=stopping");
        daemon.stop();
        return;
      }
    });
    lmp::log::info("started", {{"config", path}, {"version", LMP_VERSION}});
    if (auto every = systemd.watchdog_interval())
      daemon.watch_liveness(*every, [&systemd] { systemd.send("WATCHDOG=1"); });
    systemd.send("READY=1\nSTATUS=serving");
    daemon.run();
    pthread_kill(signal_thread.native_handle(), SIGUSR1);
    signal_thread.join();
    if (daemon.failed()) {
      systemd.send("STATUS=exiting: a flush to disk failed (see the log)");
      lmp::log::error("exiting", {{"status", "1"}, {"reason", "storage_sync_failed"}});
      // No destructor runs: closing the database would checkpoint the WAL, copying into the
      // database file pages that the failed flush may have lost. The restart's recovery reads
      // the WAL from disk and keeps only the frames whose checksums hold.
      std::_Exit(EXIT_FAILURE);
    }
    lmp::log::info("stopped");
    return 0;
  } catch (const lmp::app::StartupError& ex) {
    std::cerr << ex.what() << "\n";
    lmp::log::error("startup_failed", {{"config", path}});
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  lmp::log::set_prefix(lmp::log::detect_prefix());
  std::vector<std::string> args(argv + 1, argv + argc);
  // `lmpd admin` may follow lmpd's own --config (`lmpd --config X admin ...`), which then is
  // admin's: the config names the database either way.
  std::size_t command = 0;
  while (command < args.size()) {
    if (args[command] == "--config" && command + 1 < args.size())
      command += 2;
    else if (args[command].starts_with("--config="))
      command += 1;
    else
      break;
  }
  if (command < args.size() && args[command] == "admin") {
    std::vector<std::string> admin_args(args.begin(), args.begin() + command);
    admin_args.insert(admin_args.end(), args.begin() + command + 1, args.end());
    lmp::SystemClock clock;
    return lmp::admin::run_admin(admin_args, LMP_DEFAULT_CONFIG, clock, std::cout, std::cerr);
  }
  const auto program = lmpd_program();
  lmp::cli::Parsed parsed;
  try {
    parsed = lmp::cli::parse(program, args);
  } catch (const lmp::cli::UsageError& e) {
    std::cerr << "lmpd: " << e.what() << "\n";
    return 2;
  }
  if (parsed.version) {
    std::cout << lmp::cli::version(program);
    return 0;
  }
  if (parsed.help) {
    std::cout << lmp::cli::help(program);
    return 0;
  }
  if (const auto* checked = parsed.value("check-config")) return check_config(*checked);
  const auto* config_path = parsed.value("config");
  return serve(config_path ? *config_path : LMP_DEFAULT_CONFIG);
}
