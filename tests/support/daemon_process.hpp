// Runs the real lmpd executable as a child process for tests that kill, restart and signal it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace lmp::test {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a command to completion, capturing its output. `environment` changes the test's own for
// the command: "NAME=value" sets a variable, a bare "NAME" removes it.
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::vector<std::string>& environment = {});

// Creates a license of `units` seats of product "cad" for customer "acme" with `lmpd admin
// --config config`; returns its activation code. Throws std::runtime_error when it fails.
std::string admin_create_license(const std::filesystem::path& config, int units);

class DaemonProcess {
 public:
  // Starts `lmpd --config config_path`, its stderr going to `log_path`, and waits until it logs
  // that it listens; throws std::runtime_error if it exits or says nothing within 20 s.
  // `environment` ("NAME=value") is added to the test's own environment.
  DaemonProcess(const std::filesystem::path& config_path, const std::filesystem::path& log_path,
                const std::vector<std::string>& environment = {});
  ~DaemonProcess();

  std::uint16_t port() const { return port_; }
  std::uint16_t admin_port() const { return admin_port_; }  // 0 when the admin listener is off
  pid_t pid() const { return pid_; }
  void kill_hard();  // SIGKILL, reaped
  int terminate();   // SIGTERM; returns the exit status (or -signal)
  void signal(int sig);

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::uint16_t admin_port_ = 0;
};

std::string read_file(const std::filesystem::path& path);

}  // namespace lmp::test
