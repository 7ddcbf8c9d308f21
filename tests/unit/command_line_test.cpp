// The shared command-line parser (core/command_line.hpp) on a small program of its own: global
// options anywhere, commands of one or two words, operands, "--", the one-line errors and the
// help layout the four programs share.
#include "core/command_line.hpp"

#include <gtest/gtest.h>

namespace lmp::cli {
namespace {

const Program& demo() {
  static const Program kDemo{
      .name = "demo",
      .version = "1.2.3",
      .summary = "A program to test the parser with.",
      .options = {{.name = "server", .value = "URL", .description = "where to go"},
                  {.name = "json", .description = "print JSON"}},
      .commands =
          {{.name = "me", .summary = "who"},
           {.name = "things get",
            .summary = "one thing",
            .options = {{.name = "units", .value = "N", .description = "how many"},
                        {.name = "tag", .value = "TAG", .description = "a tag", .repeatable = true},
                        {.name = "dry-run", .description = "change nothing"}},
            .operands = {{.name = "ID"}}},
           {.name = "things create",
            .summary = "a new thing, with a summary long enough to be wrapped onto a "
                       "second line in the list of commands",
            .options =
                {{.name = "name", .value = "NAME", .description = "its name", .required = true}}},
           {.name = "things tag",
            .summary = "tags",
            .operands = {{.name = "ID"}, {.name = "TAG", .required = false, .many = true}}}},
      .details = "Exit status: 0 ok, 2 usage.\n"};
  return kDemo;
}

const Program& runner() {
  static const Program kRunner{
      .name = "runner",
      .version = "9",
      .options = {{.name = "code", .value = "CODE", .description = "the code"},
                  {.name = "quiet", .description = "say nothing", .short_name = 'q'}},
      .operands = {{.name = "COMMAND", .required = false, .many = true}},
      .first_operand_ends_options = true};
  return kRunner;
}

std::string error_of(const Program& program, const std::vector<std::string>& args) {
  try {
    parse(program, args);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(CommandLineParser, GlobalOptionsGoBeforeOrAfterTheCommandInBothForms) {
  const auto parsed =
      parse(demo(), {"--json", "things", "get", "--server=http://h", "7", "--units", "-2"});
  ASSERT_NE(parsed.command, nullptr);
  EXPECT_EQ(parsed.command->name, "things get");
  EXPECT_TRUE(parsed.has("json"));
  EXPECT_EQ(*parsed.value("server"), "http://h");
  EXPECT_EQ(*parsed.value("units"), "-2");  // a negative number is a value, not an option
  EXPECT_EQ(parsed.operands, std::vector<std::string>{"7"});
  EXPECT_EQ(parsed.value("tag"), nullptr);
  // A global option given again replaces its value.
  EXPECT_EQ(*parse(demo(), {"--server", "a", "me", "--server", "b"}).value("server"), "b");
}

TEST(CommandLineParser, ARepeatableOptionKeepsEveryValueAndDashDashEndsTheOptions) {
  const auto parsed = parse(demo(), {"things", "get", "--tag", "a", "--tag=b", "--", "--7"});
  EXPECT_EQ(parsed.options.at("tag"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(parsed.operands, std::vector<std::string>{"--7"});
  const auto rest = parse(demo(), {"things", "tag", "1", "x", "-", "--", "--json"});
  EXPECT_EQ(rest.operands, (std::vector<std::string>{"1", "x", "-", "--json"}));
  EXPECT_FALSE(rest.has("json"));
}

TEST(CommandLineParser, MistakesAreOneLineNamingTheOption) {
  EXPECT_EQ(error_of(demo(), {"things", "get", "1", "--units"}), "--units needs a value");
  EXPECT_EQ(error_of(demo(), {"things", "create", "--name", "--json"}), "--name needs a value");
  EXPECT_EQ(error_of(demo(), {"me", "--json=yes"}), "--json takes no value");
  EXPECT_EQ(error_of(demo(), {"things", "get", "1", "--dry-run=true"}), "--dry-run takes no value");
  EXPECT_EQ(error_of(demo(), {"me", "--bogus", "1"}),
            "unknown option --bogus for me (`demo me --help` lists the options)");
  EXPECT_EQ(error_of(demo(), {"--bogus=1", "me"}),
            "unknown option --bogus (`demo --help` lists the options)");
  // No abbreviations: --serv is not --server.
  EXPECT_EQ(error_of(demo(), {"--serv", "x", "me"}),
            "unknown option --serv (`demo --help` lists the options)");
  EXPECT_EQ(error_of(demo(), {"things", "get", "1", "--units", "1", "--units", "2"}),
            "--units is given twice");
  EXPECT_EQ(error_of(demo(), {"things", "get", "1", "2"}),
            "unexpected argument '2' for things get (`demo things get --help` shows the usage)");
}

TEST(CommandLineParser, AnUnknownCommandIsOneLinePointingAtTheHelp) {
  EXPECT_EQ(error_of(demo(), {"frobnicate", "x"}),
            "unknown command 'frobnicate' (`demo --help` lists the commands)");
  EXPECT_EQ(error_of(demo(), {"things", "frobnicate"}),
            "unknown command 'things frobnicate' (`demo things --help` lists the commands)");
  EXPECT_EQ(error_of(demo(), {}), "no command given (`demo --help` lists the commands)");
}

TEST(CommandLineParser, WhatIsRequiredIsNamedWithTheUsageExceptUnderHelp) {
  EXPECT_EQ(error_of(demo(), {"things", "create"}),
            "things create needs --name\nusage: demo things create --name NAME");
  EXPECT_EQ(error_of(demo(), {"things", "get"}),
            "things get needs ID\nusage: demo things get [--units N] [--tag TAG...] [--dry-run] "
            "ID");
  EXPECT_TRUE(parse(demo(), {"things", "create", "--help"}).help);
  const auto topic = parse(demo(), {"-h", "things"});
  EXPECT_EQ(topic.command, nullptr);
  EXPECT_EQ(topic.topic, "things");
  EXPECT_TRUE(parse(demo(), {"--version"}).version);
}

TEST(CommandLineParser, TheFirstOperandCanEndTheOptions) {
  const auto parsed = parse(runner(), {"-q", "--code", "c", "sleep", "--code", "-q"});
  EXPECT_TRUE(parsed.has("quiet"));
  EXPECT_EQ(*parsed.value("code"), "c");
  EXPECT_EQ(parsed.operands, (std::vector<std::string>{"sleep", "--code", "-q"}));
  EXPECT_EQ(parse(runner(), {"--", "-x"}).operands, std::vector<std::string>{"-x"});
  // A value that is an option's name is still a value.
  const auto named = parse(runner(), {"--code", "quiet", "sleep"});
  EXPECT_EQ(*named.value("code"), "quiet");
  EXPECT_EQ(named.operands, std::vector<std::string>{"sleep"});
  EXPECT_EQ(*parse(demo(), {"things", "get", "1", "--tag", "units"}).value("tag"), "units");
  EXPECT_EQ(error_of(runner(), {"--cod", "c"}),
            "unknown option --cod (`runner --help` lists the options)");
  EXPECT_EQ(error_of(runner(), {"--quiet=1"}), "--quiet takes no value");
}

TEST(CommandLineParser, HelpHasOneLayout) {
  EXPECT_EQ(help(demo()),
            "usage: demo [OPTIONS] COMMAND [ARGUMENTS]\n"
            "A program to test the parser with.\n"
            "\n"
            "Options:\n"
            "      --server URL  where to go\n"
            "      --json        print JSON\n"
            "  -h, --help        print this help (after a command: that command's) and exit\n"
            "      --version     print the version and exit\n"
            "\n"
            "Commands:\n"
            "  me             who\n"
            "  things get     one thing\n"
            "  things create  a new thing, with a summary long enough to be wrapped onto a\n"
            "                 second line in the list of commands\n"
            "  things tag     tags\n"
            "\n"
            "`demo COMMAND --help` shows a command's options.\n"
            "\n"
            "Exit status: 0 ok, 2 usage.\n");
  EXPECT_EQ(help(demo(), parse(demo(), {"things", "get", "--help"})),
            "usage: demo things get [--units N] [--tag TAG...] [--dry-run] ID\n"
            "one thing\n"
            "\n"
            "Options:\n"
            "      --units N  how many\n"
            "      --tag TAG  a tag\n"
            "      --dry-run  change nothing\n"
            "\n"
            "The global options (`demo --help`) go before or after the command.\n");
  EXPECT_EQ(help(demo(), "things").find("  me "), std::string::npos);
  EXPECT_NE(help(demo(), "things").find("  things tag     tags\n"), std::string::npos);
  EXPECT_EQ(version(demo()), "demo 1.2.3\n");
  EXPECT_EQ(help(runner()).substr(0, help(runner()).find('\n')),
            "usage: runner [OPTIONS] [COMMAND...]");
}

}  // namespace
}  // namespace lmp::cli
