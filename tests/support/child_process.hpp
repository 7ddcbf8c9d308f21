// A child process a test starts, signals and waits for while it runs (lmp-run, the example
// programs), its stdout and stderr going to files the test reads.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lmp::test {

class ChildProcess {
 public:
  // Starts argv[0] (a path) with `environment` ("NAME=value") added to the test's own.
  ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& out_path,
               const std::filesystem::path& err_path,
               const std::vector<std::string>& environment = {});
  // Kills (SIGKILL) and reaps a child that is still running.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int sig);
  // The exit status (128+N when signal N ended it), or nullopt if it is still running after
  // `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

}  // namespace lmp::test
