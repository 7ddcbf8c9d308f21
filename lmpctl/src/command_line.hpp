// lmpctl's argument parsing: the global options (anywhere before "--"), the command words, and
// the command's positionals and options checked against its CommandSpec; the words are split by
// the shared parser (core/command_line.hpp), the values checked here.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "command_spec.hpp"

namespace lmpctl {

// A mistake in the command line or the configuration: exit status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct GlobalOptions {
  std::optional<std::string> server;
  std::optional<std::string> token;
  std::optional<std::string> config;
  std::optional<std::string> timeout;
  std::optional<std::string> ca_file;
  bool json = false;
  bool all = false;
  bool csv = false;
  bool help = false;
  bool version = false;
};

struct CommandLine {
  GlobalOptions globals;
  const CommandSpec* command = nullptr;  // null with --help or --version and no command
  std::string help_topic;                // with --help: the first word when no command matched
  // The arguments given, by Param::name (also "limit" and "after" of a paged command); a list
  // holds each value, the others exactly one.
  std::map<std::string, std::vector<std::string>, std::less<>> values;
};

// Parses argv[1..]. Throws UsageError.
CommandLine parse_command_line(const std::vector<std::string>& args,
                               const std::vector<CommandSpec>& specs);

// "partners create --name NAME --kind KIND"
std::string usage_line(const CommandSpec& spec);
// The whole help text; only the commands starting with `resource` when it is not empty.
std::string usage_text(const std::vector<CommandSpec>& specs, const std::string& resource = {});
// What --help prints: the command's help, the topic's commands or the whole help.
std::string help_text(const CommandLine& line, const std::vector<CommandSpec>& specs);
// What --version prints.
std::string version_text(const std::vector<CommandSpec>& specs);

}  // namespace lmpctl
