// Config texts that fuzz_config_loader found to hang config::load_string, replayed so the fix
// stays in place (docs/reliability.md). Each runs in a child process bounded in time and memory,
// because the failure is an endless loop that allocates on every turn.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "config/config_loader.hpp"
#include "support/sanitized_build.hpp"

namespace {

constexpr unsigned kSecondsAllowed = 5;

// What load_string must do with any text: return in time, with positioned errors or a config,
// never with an exception it caught itself ("internal error"). Returns the child's exit status
// as a message, empty when it held.
std::string load_in_child(const std::string& yaml) {
  const pid_t pid = ::fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    // The sanitizers reserve terabytes of address space up front, so only the time bound holds
    // under them; at their speed it still caps the loop at about a gigabyte.
    if (!lmp::test::kSanitizedBuild) {
      const rlimit memory{1UL << 30, 1UL << 30};
      ::setrlimit(RLIMIT_AS, &memory);
    }
    ::alarm(kSecondsAllowed);
    const auto result = lmp::config::load_string(yaml, "regression.yaml", "/etc/lmpd");
    int status = 0;
    for (const auto& error : result.errors) {
      std::fprintf(stderr, "%s\n", error.to_string().c_str());
      if (error.message.rfind("internal error", 0) == 0) status = 1;
    }
    ::_exit(status);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return "waitpid failed";
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  if (WIFEXITED(status)) return "load_string reported an internal error (see stderr)";
  if (WTERMSIG(status) == SIGALRM) {
    return "load_string did not return within " + std::to_string(kSecondsAllowed) + " s";
  }
  return "the loader died of signal " + std::to_string(WTERMSIG(status));
}

// yaml-cpp 0.7's YAML::LoadAll never returns on a stray ',' where a node should start: the
// parser yields an empty document without consuming the token, forever (upstream issue 1040).
TEST(ConfigLoaderRegression, StrayCommaAloneIsAnsweredInTime) {
  EXPECT_EQ(load_in_child(","), "");
}

TEST(ConfigLoaderRegression, StrayCommaAfterASequenceIsAnsweredInTime) {
  EXPECT_EQ(load_in_child("- a\n,"), "");
}

TEST(ConfigLoaderRegression, StrayCommaInASecondDocumentIsAnsweredInTime) {
  EXPECT_EQ(load_in_child("logging:\n  level: info\n---\n,\n"), "");
}

}  // namespace
