// The four command lines (lmpd, `lmpd admin`, lmpctl, lmp-run) as a user meets them, run as the
// real programs: --help at the top and for a command, --version, and the same one-line errors
// for an unknown command, an unknown option, a missing value and a flag given a value, each with
// the program's usage exit status. No server or config is needed for any of it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/daemon_files.hpp"
#include "support/daemon_process.hpp"

namespace lmp::test {
namespace {

struct Program {
  std::string name;                 // as messages start: "lmpd admin"
  std::vector<std::string> prefix;  // the argv before the words under test
  int usage_status;                 // what a usage error exits with
};

const Program kLmpd{"lmpd", {LMP_TEST_LMPD_BINARY}, 2};
const Program kAdmin{"lmpd admin", {LMP_TEST_LMPD_BINARY, "admin"}, 2};
const Program kLmpctl{"lmpctl", {LMPCTL_BINARY}, 2};
const Program kLmpRun{"lmp-run", {LMP_RUN_BINARY}, 64};

CommandResult run(const Program& program, const std::vector<std::string>& words) {
  std::vector<std::string> argv = program.prefix;
  argv.insert(argv.end(), words.begin(), words.end());
  // Nothing from this machine's environment: no lmpctl config, server or token, no lmp-run code.
  return run_command(argv, {"LMPCTL_SERVER", "LMPCTL_TOKEN", "LMPCTL_CONFIG", "LMP_SERVER",
                            "LMP_CODE", "XDG_CONFIG_HOME=/nonexistent"});
}

// A usage error: the status, nothing on stdout, and exactly `line` on stderr.
void expect_usage_error(const Program& program, const std::vector<std::string>& words,
                        const std::string& line) {
  const auto r = run(program, words);
  EXPECT_EQ(r.exit_code, program.usage_status) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, program.name + ": " + line + "\n");
}

// The help's shared layout: usage first, then the options with --help and --version, each with
// its description.
void expect_help_layout(const Program& program, const std::vector<std::string>& words,
                        const std::string& usage_start) {
  const auto r = run(program, words);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(r.out.starts_with("usage: " + usage_start)) << r.out;
  EXPECT_NE(r.out.find("\nOptions:\n"), std::string::npos) << r.out;
}

void expect_top_help(const Program& program, const std::vector<std::string>& options) {
  expect_help_layout(program, {"--help"}, program.name + " ");
  const auto r = run(program, {"-h"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("\n  -h, --help "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n      --version "), std::string::npos) << r.out;
  for (const auto& option : options)
    EXPECT_NE(r.out.find("\n      " + option + " "), std::string::npos) << option << "\n" << r.out;
}

void expect_version(const Program& program) {
  const auto r = run(program, {"--version"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with(program.name + " " + LMP_TEST_VERSION)) << r.out;
}

TEST(CommandLines, Lmpd) {
  expect_top_help(kLmpd, {"--config FILE", "--check-config FILE"});
  expect_version(kLmpd);
  // Its one command is `lmpd admin`, whose help is the next test's.
  EXPECT_NE(run(kLmpd, {"--help"}).out.find("\n  admin "), std::string::npos);
  expect_usage_error(kLmpd, {"frobnicate"},
                     "unexpected argument 'frobnicate' (`lmpd --help` shows the usage)");
  expect_usage_error(kLmpd, {"--chek-config", "x"},
                     "unknown option --chek-config (`lmpd --help` lists the options)");
  expect_usage_error(kLmpd, {"--config"}, "--config needs a value");
  expect_usage_error(kLmpd, {"--version=2"}, "--version takes no value");
}

TEST(CommandLines, LmpdAdmin) {
  expect_top_help(kAdmin, {"--config FILE"});
  expect_version(kAdmin);
  const auto top = run(kAdmin, {"--help"}).out;
  EXPECT_NE(top.find("\nCommands:\n"), std::string::npos) << top;
  EXPECT_NE(top.find("\n  create-license "), std::string::npos) << top;
  // `lmpd admin help` is --help, as it always was.
  EXPECT_EQ(run(kAdmin, {"help"}).out, top);
  expect_help_layout(kAdmin, {"create-license", "--help"},
                     "lmpd admin create-license --customer CUSTOMER");
  EXPECT_NE(run(kAdmin, {"list-licenses", "-h"}).out.find("\n      --json "), std::string::npos);
  expect_usage_error(kAdmin, {"list-licences"},
                     "unknown command 'list-licences' (`lmpd admin --help` lists the commands)");
  expect_usage_error(kAdmin, {"list-licenses", "--bogus"},
                     "unknown option --bogus for list-licenses (`lmpd admin list-licenses "
                     "--help` lists the options)");
  expect_usage_error(kAdmin, {"create-license", "--units"}, "--units needs a value");
  // The case: --json is a flag, not an option wanting a value.
  expect_usage_error(kAdmin, {"list-licenses", "--json=yes"}, "--json takes no value");
  expect_usage_error(kAdmin, {}, "no command given (`lmpd admin --help` lists the commands)");
}

// `lmpd --config X admin ...` is `lmpd admin --config X ...`: the config named before the
// command reaches admin's (it was refused as "unexpected argument 'admin'"). The same database
// is read whichever way the config is given.
TEST(CommandLines, LmpdConfigBeforeAdminIsAdminsConfig) {
  DaemonFiles files;
  ASSERT_TRUE(files.write_config("sqlite"));
  const auto config = files.config_path().string();
  const auto made = run(kAdmin, {"--config", config, "create-license", "--customer", "studio",
                                 "--product", "cad", "--units", "3"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const auto expected = run(kAdmin, {"--config", config, "list-licenses", "--json"});
  ASSERT_EQ(expected.exit_code, 0) << expected.err;
  EXPECT_NE(expected.out.find("\"product\":\"cad\",\"units\":3"), std::string::npos)
      << expected.out;
  for (const auto& words : std::vector<std::vector<std::string>>{
           {"--config", config, "admin", "list-licenses", "--json"},
           {"--config=" + config, "admin", "list-licenses", "--json"}}) {
    const auto r = run(kLmpd, words);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, expected.out);
  }
  // Anything else before `admin` is still lmpd's own usage error.
  expect_usage_error(kLmpd, {"--check-config", config, "admin", "list-licenses"},
                     "unexpected argument 'admin' (`lmpd --help` shows the usage)");
}

TEST(CommandLines, Lmpctl) {
  expect_top_help(kLmpctl, {"--server URL", "--token TOKEN", "--json"});
  expect_version(kLmpctl);
  const auto top = run(kLmpctl, {"--help"}).out;
  EXPECT_NE(top.find("\n  customers list "), std::string::npos) << top;
  expect_help_layout(kLmpctl, {"customers", "create", "--help"},
                     "lmpctl customers create --name NAME");
  const auto create = run(kLmpctl, {"customers", "create", "--help"}).out;
  EXPECT_NE(create.find("\n      --account ACCOUNT  "), std::string::npos) << create;
  expect_usage_error(kLmpctl, {"frobnicate"},
                     "unknown command 'frobnicate' (`lmpctl --help` lists the commands)");
  expect_usage_error(kLmpctl, {"customers", "list", "--bogus", "1"},
                     "unknown option --bogus for customers list (`lmpctl customers list --help` "
                     "lists the options)");
  expect_usage_error(kLmpctl, {"me", "--server"}, "--server needs a value");
  expect_usage_error(kLmpctl, {"me", "--json=true"}, "--json takes no value");
}

TEST(CommandLines, LmpRun) {
  expect_top_help(kLmpRun, {"--server HOST:PORT", "--code CODE", "--borrow DAYS"});
  const auto top = run(kLmpRun, {"--help"}).out;
  EXPECT_NE(top.find("\n  -q, --quiet "), std::string::npos) << top;
  // Its "command" is any program: what follows the options is COMMAND's, not lmp-run's.
  expect_usage_error(kLmpRun, {"--bogus", "1", "--", "true"},
                     "unknown option --bogus (`lmp-run --help` lists the options)");
  expect_usage_error(kLmpRun, {"--server", "h", "--code"}, "--code needs a value");
  expect_usage_error(kLmpRun, {"--tls=yes", "--server", "h", "--code", "c", "true"},
                     "--tls takes no value");
  expect_usage_error(kLmpRun, {"--server", "h", "--code", "c"}, "no command given after --");
  const auto version = run(kLmpRun, {"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_TRUE(version.out.starts_with(std::string("lmp-run ") + LMP_TEST_VERSION)) << version.out;
}

}  // namespace
}  // namespace lmp::test
