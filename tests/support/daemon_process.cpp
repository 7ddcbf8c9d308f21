// Child-process management for the process-level tests.
#include "support/daemon_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace lmp::test {
namespace {

// The port of the `listener` that the log says listens; 0 when it does not.
std::uint16_t listening_port(const std::string& log, const std::string& listener) {
  const auto at = log.find("event=listening listener=" + listener + " ");
  if (at == std::string::npos) return 0;
  const auto port_at = log.find("port=", at);
  const auto end = log.find_first_of(" \n", port_at);
  if (port_at == std::string::npos || end == std::string::npos) return 0;
  return static_cast<std::uint16_t>(std::stoi(log.substr(port_at + 5, end - port_at - 5)));
}

std::vector<char*> c_args(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

int wait_status(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}

}  // namespace

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

// The test's environment with `changes` applied ("NAME=value" sets, "NAME" removes).
std::vector<std::string> changed_environment(const std::vector<std::string>& changes) {
  std::vector<std::string> out;
  auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    bool replaced = false;
    for (const auto& change : changes) replaced = replaced || name_of(change) == name_of(entry);
    if (!replaced) out.push_back(entry);
  }
  for (const auto& change : changes)
    if (change.find('=') != std::string::npos) out.push_back(change);
  return out;
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv,
                          const std::vector<std::string>& environment) {
  // Built before fork: the child of a threaded test may only call async-signal-safe functions.
  const std::vector<std::string> env_text = changed_environment(environment);
  auto args = c_args(argv);
  auto env = c_args(env_text);
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::execve(args[0], args.data(), env.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  CommandResult result;
  // Both pipes are read together so that neither can fill up and stall the child.
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0) {
    if (::poll(fds, 2, 30000) <= 0) break;
    for (auto& p : fds) {
      if (p.fd < 0 || !(p.revents & (POLLIN | POLLHUP))) continue;
      char buf[4096];
      ssize_t n = ::read(p.fd, buf, sizeof buf);
      if (n > 0) {
        (p.fd == out_pipe[0] ? result.out : result.err).append(buf, static_cast<std::size_t>(n));
      } else {
        ::close(p.fd);
        p.fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& p : fds)
    if (p.fd >= 0) ::close(p.fd);
  result.exit_code = wait_status(pid);
  return result;
}

DaemonProcess::DaemonProcess(const std::filesystem::path& config_path,
                             const std::filesystem::path& log_path,
                             const std::vector<std::string>& environment) {
  const std::string config = config_path.string();
  const std::string log = log_path.string();
  std::filesystem::remove(log_path);
  pid_ = ::fork();
  if (pid_ == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) ::dup2(fd, 2);
    std::vector<std::string> argv = {LMP_TEST_LMPD_BINARY, "--config", config};
    auto args = c_args(argv);
    std::vector<std::string> env = environment;
    for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
    auto envp = c_args(env);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string text = read_file(log_path);
    // `started` comes once every listener is bound: a second listener that fails to bind makes
    // lmpd exit after the first one's `listening` line, and that must not count as started.
    if (text.find("event=started") != std::string::npos) {
      auto at = text.find("event=listening listener=seat");
      if (at == std::string::npos) at = text.find("event=listening");
      auto port_at = text.find("port=", at);
      auto end = text.find_first_of(" \n", port_at);
      if (at != std::string::npos && port_at != std::string::npos && end != std::string::npos) {
        port_ = static_cast<std::uint16_t>(std::stoi(text.substr(port_at + 5, end - port_at - 5)));
        admin_port_ = listening_port(text, "admin");
        return;
      }
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("lmpd exited during startup:\n" + text);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill_hard();
  throw std::runtime_error("lmpd did not start listening within 20 s:\n" + read_file(log_path));
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) kill_hard();
}

void DaemonProcess::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  wait_status(pid_);
  pid_ = -1;
}

int DaemonProcess::terminate() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = wait_status(pid_);
  pid_ = -1;
  return status;
}

void DaemonProcess::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

std::string admin_create_license(const std::filesystem::path& config, int units) {
  auto r =
      run_command({LMP_TEST_LMPD_BINARY, "admin", "--config", config.string(), "create-license",
                   "--customer", "acme", "--product", "cad", "--units", std::to_string(units)});
  auto at = r.out.find("activation code: ");
  if (r.exit_code != 0 || at == std::string::npos)
    throw std::runtime_error("lmpd admin create-license failed: " + r.err);
  return r.out.substr(at + 17, 23);
}

}  // namespace lmp::test
