// The command lines of lmpd, `lmpd admin`, lmpctl and lmp-run, each described once as a Program
// and parsed by one parser (Boost.Program_options, used in command_line.cpp only, so that this
// header stays light): global options, then a command and its own options; --help and --version
// at every level; one-line errors that name the option.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lmp::cli {

// A mistake in the command line; its text is one line without the program's name.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Option {
  std::string name = {};         // the long name, without "--"
  std::string value = {};        // what its value is called in the help ("FILE"); empty: a flag
  std::string description = {};  // for the help
  char short_name = 0;           // 'q' for -q; 0: none
  bool repeatable = false;       // may be given again: every value is kept, in order
  bool required = false;
};

// An argument that is not an option (a positional).
struct Operand {
  std::string name = {};  // as the help shows it: "ID", "COMMAND"
  bool required = true;
  bool many = false;  // takes every operand left (the last operand only)
};

struct Command {
  std::string name = {};     // its words, separated by one space: "partners get"
  std::string summary = {};  // one line for the list of commands
  std::vector<Option> options = {};
  std::vector<Operand> operands = {};
  std::string synopsis = {};  // what follows the name in its usage line; empty: made from the above
  std::string details = {};   // more text for its --help
};

struct Program {
  std::string name = {};     // "lmpctl", "lmpd admin"
  std::string version = {};  // `NAME VERSION` is what --version prints
  std::string summary = {};  // one line: what the program does
  // The usage lines after "usage: "; empty: made from the options, commands and operands.
  std::vector<std::string> synopsis = {};
  // Global options: before or after the command's name. --help (-h) and --version are added.
  std::vector<Option> options = {};
  std::vector<Operand> operands = {};  // of a program without commands (lmp-run's COMMAND)
  // The first operand ends the options: what follows belongs to it (lmp-run's COMMAND ARGS).
  bool first_operand_ends_options = false;
  std::vector<Command> commands = {};
  std::string details = {};  // the end of the top-level help: environment, exit status
};

struct Parsed {
  bool help = false;
  bool version = false;
  const Command* command = nullptr;  // null: no command given, or --help with an unknown one
  std::string topic = {};            // --help and words that name no command: the first word
  // Each option given, by long name (the global ones too), with its values in order; a flag
  // has one empty value per time it was given.
  std::map<std::string, std::vector<std::string>, std::less<>> options = {};
  std::vector<std::string> operands = {};  // in order, also those after "--"

  bool has(std::string_view name) const { return options.contains(name); }
  // The option's value; null when it was not given.
  const std::string* value(std::string_view name) const;
};

// Parses the words after the program's name (after "admin" for `lmpd admin`). With --help or
// --version only the words are checked, not whether required options or operands are there.
// Throws UsageError.
Parsed parse(const Program& program, const std::vector<std::string>& args);

// The help texts, all in one layout: usage, summary, options, commands, details.
std::string help(const Program& program);
std::string help(const Program& program, const Command& command);
// The help of the commands whose first word is `topic` (`lmpctl partners --help`).
std::string help(const Program& program, std::string_view topic);
// What --help prints for a parsed command line: the command's, the topic's or the program's.
std::string help(const Program& program, const Parsed& parsed);
// "lmpctl 1.2.3\n"
std::string version(const Program& program);

// The usage line of a command: "partners create --name NAME --kind KIND".
std::string usage_line(const Command& command);

}  // namespace lmp::cli
