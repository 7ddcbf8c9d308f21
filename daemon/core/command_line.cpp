// Parsing a Program's command line with Boost.Program_options, in two passes where the program
// has commands: the global options wherever they are, then the command's own options; and the
// help texts, in one layout for all four programs (the GNU one help2man reads into the manual
// pages, which Program_options' own "-h [ --help ]" layout is not).
#include "core/command_line.hpp"

#include <algorithm>
#include <boost/program_options/errors.hpp>
#include <boost/program_options/options_description.hpp>
#include <boost/program_options/parsers.hpp>
#include <cctype>

namespace lmp::cli {
namespace {

namespace po = boost::program_options;

// Long options only (and the short ones declared), no abbreviations: `--serv` guessing --server
// would change meaning when an option is added; no "-qh" bundles.
constexpr int kStyle =
    po::command_line_style::allow_long | po::command_line_style::long_allow_adjacent |
    po::command_line_style::long_allow_next | po::command_line_style::allow_short |
    po::command_line_style::allow_dash_for_short | po::command_line_style::short_allow_next;

std::vector<Option> globals_of(const Program& program) {
  std::vector<Option> out = program.options;
  out.push_back({.name = "help",
                 .description = program.commands.empty()
                                    ? "print this help and exit"
                                    : "print this help (after a command: that command's) and exit",
                 .short_name = 'h'});
  out.push_back({.name = "version", .description = "print the version and exit"});
  return out;
}

constexpr std::size_t kWidth = 79;  // what the help's lines are wrapped to

// `text` wrapped at kWidth, each line after the first indented by `indent` spaces.
std::string wrapped(const std::string& text, std::size_t indent) {
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t room = kWidth - indent;
    std::size_t end = std::min(text.size(), at + room);
    if (end < text.size()) {
      const auto space = text.rfind(' ', end);
      if (space != std::string::npos && space > at) end = space;
    }
    if (!out.empty()) out += "\n" + std::string(indent, ' ');
    out += text.substr(at, end - at);
    at = end;
    while (at < text.size() && text[at] == ' ') ++at;
  }
  return out;
}

po::options_description description_of(const std::vector<Option>& options) {
  po::options_description out;
  for (const auto& option : options) {
    const std::string names =
        option.name + (option.short_name ? std::string(",") + option.short_name : "");
    if (option.value.empty())
      out.add_options()(names.c_str(), option.description.c_str());
    else
      out.add_options()(names.c_str(), po::value<std::string>()->value_name(option.value),
                        option.description.c_str());
  }
  return out;
}

bool is_operand_word(const std::string& word) {
  const bool negative =
      word.size() > 1 && word[0] == '-' && std::isdigit(static_cast<unsigned char>(word[1])) != 0;
  return !word.starts_with('-') || word == "-" || negative;
}

// An operand where the standard parsers would see an option: "-" (standard input) and a
// negative number. (Only those: Program_options asks the style parsers whether the word after
// an option is one, and takes a plain word claimed here for an option when it is an option's
// name, `--group product`.)
std::vector<po::option> dash_operands(std::vector<std::string>& args) {
  const std::string& word = args.front();
  if (!word.starts_with('-') || !is_operand_word(word)) return {};
  po::option operand;
  operand.value = {word};
  operand.original_tokens = {word};
  args.erase(args.begin());
  return {operand};
}

// Where the first operand is when it ends the options (lmp-run's COMMAND): the first word that
// is neither an option nor an option's value; npos when "--" or the end comes first.
std::size_t first_operand(const std::vector<std::string>& words,
                          const std::vector<Option>& options) {
  auto takes_value = [&](auto&& same) {
    return std::any_of(options.begin(), options.end(),
                       [&](const Option& o) { return same(o) && !o.value.empty(); });
  };
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word == "--") return std::string::npos;
    if (is_operand_word(word)) return i;
    if (word.starts_with("--")) {
      if (word.find('=') == std::string::npos &&
          takes_value([&](const Option& o) { return "--" + o.name == word; }))
        ++i;
    } else if (word.size() == 2 &&
               takes_value([&](const Option& o) { return o.short_name == word[1]; })) {
      ++i;
    }
  }
  return std::string::npos;
}

std::string option_word(std::string token) {
  if (const auto eq = token.find('='); eq != std::string::npos) token.resize(eq);
  return token;
}

// One pass of Program_options over `words`. `unknown` receives the words of options not in
// `options` (in order, with the operands) when it is given; otherwise they are an error.
std::vector<po::option> run(const std::vector<std::string>& words,
                            const std::vector<Option>& options, bool keep_unknown,
                            const std::string& where, const std::string& help_command) {
  const auto description = description_of(options);
  po::command_line_parser parser(words);
  parser.options(description).style(kStyle).extra_style_parser(dash_operands);
  if (keep_unknown) parser.allow_unregistered();
  try {
    return parser.run().options;
  } catch (const po::unknown_option& e) {
    throw UsageError("unknown option " + option_word(e.get_option_name()) + where + " (`" +
                     help_command + " --help` lists the options)");
  } catch (const po::invalid_command_line_syntax& e) {
    const std::string name = option_word(e.get_option_name());
    if (e.kind() == po::invalid_command_line_syntax::missing_parameter)
      throw UsageError(name + " needs a value");
    if (e.kind() == po::invalid_command_line_syntax::extra_parameter)
      throw UsageError(name + " takes no value");
    throw UsageError(e.what());
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
}

const Option* find_option(const std::vector<Option>& options, const std::string& name) {
  for (const auto& option : options)
    if (option.name == name) return &option;
  return nullptr;
}

// Keeps a known option's value; a second value only for a repeatable option (a flag again
// changes nothing). A global option given again replaces its value, as the hand-written parsers
// let it (`lmpctl $DEFAULTS --server other ...`); a command's option given twice is a mistake.
void keep(Parsed& parsed, const Option& option, const po::option& given, bool global) {
  auto& values = parsed.options[option.name];
  if (!values.empty() && !option.repeatable && !option.value.empty()) {
    if (!global) throw UsageError("--" + option.name + " is given twice");
    values.clear();
  }
  values.push_back(given.value.empty() ? std::string() : given.value.front());
  if (option.name == "help") parsed.help = true;
  if (option.name == "version") parsed.version = true;
}

std::vector<std::string> split_words(const std::string& name) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= name.size()) {
    const auto space = name.find(' ', start);
    out.push_back(name.substr(start, space - start));
    if (space == std::string::npos) break;
    start = space + 1;
  }
  return out;
}

// The command whose words are the longest prefix of `words`.
const Command* match(const Program& program, const std::vector<std::string>& words) {
  const Command* best = nullptr;
  std::size_t best_size = 0;
  for (const auto& command : program.commands) {
    const auto own = split_words(command.name);
    if (own.size() > words.size() || !std::equal(own.begin(), own.end(), words.begin())) continue;
    if (best == nullptr || own.size() > best_size) {
      best = &command;
      best_size = own.size();
    }
  }
  return best;
}

void check_no_more(const std::vector<Operand>& wanted, const std::vector<std::string>& given,
                   const std::string& who, const std::string& help_command) {
  std::size_t fits = 0;
  for (const auto& operand : wanted) fits = operand.many ? given.size() : fits + 1;
  if (given.size() > fits)
    throw UsageError("unexpected argument '" + given[fits] + "'" +
                     (who.empty() ? "" : " for " + who) + " (`" + help_command +
                     " --help` shows the usage)");
}

void check_operands(const std::vector<Operand>& wanted, const std::vector<std::string>& given,
                    const std::string& who, const std::string& usage) {
  std::size_t position = 0;
  for (const auto& operand : wanted) {
    if (operand.required && position >= given.size())
      throw UsageError((who.empty() ? "" : who + " ") + "needs " + operand.name +
                       "\nusage: " + usage);
    ++position;
  }
}

void check_required(const std::vector<Option>& options, const Parsed& parsed,
                    const std::string& who, const std::string& usage) {
  for (const auto& option : options)
    if (option.required && !parsed.has(option.name))
      throw UsageError((who.empty() ? "" : who + " ") + "needs --" + option.name +
                       "\nusage: " + usage);
}

// "  -h, --help" / "      --name NAME"
std::string option_label(const Option& option) {
  std::string out = option.short_name ? std::string("  -") + option.short_name + ", " : "      ";
  out += "--" + option.name;
  if (!option.value.empty()) out += " " + option.value;
  return out;
}

// The details' paragraphs (separated by a blank line) wrapped at kWidth; one whose lines are
// indented (a list) stays as it is.
std::string reflowed(const std::string& details) {
  std::string out;
  std::size_t at = 0;
  while (at < details.size()) {
    auto end = details.find("\n\n", at);
    if (end == std::string::npos) end = details.size();
    std::string paragraph = details.substr(at, end - at);
    while (!paragraph.empty() && paragraph.back() == '\n') paragraph.pop_back();
    if (!out.empty()) out += "\n";
    if (paragraph.starts_with("  ") || paragraph.find("\n  ") != std::string::npos) {
      out += paragraph + "\n";
    } else {
      std::replace(paragraph.begin(), paragraph.end(), '\n', ' ');
      out += wrapped(paragraph, 0) + "\n";
    }
    at = end + 2;
  }
  return out;
}

// Rows of label and text, the texts in one column, wrapped at kWidth characters.
std::string rows(const std::vector<std::pair<std::string, std::string>>& entries) {
  constexpr std::size_t kMaxColumn = 32;
  std::size_t column = 0;
  for (const auto& [label, text] : entries) column = std::max(column, label.size() + 2);
  column = std::min(column, kMaxColumn);
  std::string out;
  for (const auto& [label, text] : entries) {
    std::string line = label;
    if (line.size() + 2 > column) {
      out += line + "\n";
      line.clear();
    }
    line.resize(column, ' ');
    out += text.empty() ? label + "\n" : line + wrapped(text, column) + "\n";
  }
  return out;
}

std::string options_block(const std::string& title, const std::vector<Option>& options) {
  if (options.empty()) return {};
  std::vector<std::pair<std::string, std::string>> entries;
  for (const auto& option : options) entries.emplace_back(option_label(option), option.description);
  return "\n" + title + ":\n" + rows(entries);
}

std::string operand_words(const std::vector<Operand>& operands) {
  std::string out;
  for (const auto& operand : operands) {
    std::string part = operand.name + (operand.many ? "..." : "");
    out += " " + (operand.required ? part : "[" + part + "]");
  }
  return out;
}

std::string commands_block(const Program& program, std::string_view topic) {
  std::vector<std::pair<std::string, std::string>> entries;
  for (const auto& command : program.commands)
    if (topic.empty() || split_words(command.name).front() == topic)
      entries.emplace_back("  " + command.name, command.summary);
  if (entries.empty()) return {};
  return "\nCommands:\n" + rows(entries);
}

std::string top_usage(const Program& program) {
  std::string out;
  if (!program.synopsis.empty()) {
    for (std::size_t i = 0; i < program.synopsis.size(); ++i)
      out += (i == 0 ? "usage: " : "       ") + program.name + " " + program.synopsis[i] + "\n";
    return out;
  }
  out = "usage: " + program.name + " [OPTIONS]";
  if (!program.commands.empty()) out += " COMMAND [ARGUMENTS]";
  out += operand_words(program.operands);
  return out + "\n";
}

}  // namespace

const std::string* Parsed::value(std::string_view name) const {
  const auto found = options.find(name);
  return found == options.end() || found->second.empty() ? nullptr : &found->second.back();
}

std::string usage_line(const Command& command) {
  if (!command.synopsis.empty()) return command.name + " " + command.synopsis;
  std::string out = command.name;
  for (const auto& option : command.options) {
    std::string part = "--" + option.name + (option.value.empty() ? "" : " " + option.value);
    if (option.repeatable) part += "...";
    out += " " + (option.required ? part : "[" + part + "]");
  }
  return out + operand_words(command.operands);
}

Parsed parse(const Program& program, const std::vector<std::string>& args) {
  Parsed parsed;
  const auto globals = globals_of(program);
  // Everything after "--" is an operand, whatever it looks like; it is set aside here so that
  // the first pass, which keeps the words it does not know, cannot lose where it was.
  auto dashes = std::find(args.begin(), args.end(), "--");
  bool dashes_given = dashes != args.end();
  if (program.first_operand_ends_options) {
    // The first operand ends the options as "--" would.
    const std::size_t operand = first_operand(args, globals);
    if (operand != std::string::npos) {
      dashes = args.begin() + static_cast<std::ptrdiff_t>(operand);
      dashes_given = false;
    }
  }
  const std::vector<std::string> before(args.begin(), dashes);
  const std::vector<std::string> after(dashes_given ? dashes + 1 : dashes, args.end());
  const bool has_commands = !program.commands.empty();

  // Pass 1: the global options, anywhere before "--"; the rest in its order.
  std::vector<std::string> rest;
  for (const auto& given : run(before, globals, has_commands, "", program.name)) {
    if (given.unregistered || given.string_key.empty()) {
      rest.insert(rest.end(), given.original_tokens.begin(), given.original_tokens.end());
      continue;
    }
    keep(parsed, *find_option(globals, given.string_key), given, true);
  }
  if (!has_commands) {
    parsed.operands = rest;
    parsed.operands.insert(parsed.operands.end(), after.begin(), after.end());
    if (parsed.help || parsed.version) return parsed;
    check_no_more(program.operands, parsed.operands, "", program.name);
    check_operands(program.operands, parsed.operands, "", top_usage(program));
    check_required(program.options, parsed, "", top_usage(program));
    return parsed;
  }

  // The command: the words before the first option. An option before them is none of the
  // program's (pass 1 took those).
  if (!rest.empty() && rest.front().starts_with('-'))
    throw UsageError("unknown option " + option_word(rest.front()) + " (`" + program.name +
                     " --help` lists the options)");
  std::vector<std::string> words;
  for (const auto& word : rest) {
    if (word.starts_with('-')) break;
    words.push_back(word);
  }
  if (words.empty() && after.empty()) {
    if (parsed.help || parsed.version) return parsed;
    throw UsageError("no command given (`" + program.name + " --help` lists the commands)");
  }
  parsed.command = match(program, words);
  if (parsed.command == nullptr) {
    if (parsed.help) {
      if (!words.empty()) parsed.topic = words.front();
      return parsed;
    }
    // One line, pointing at the list: the whole usage would push the line itself out of sight.
    // A known first word (`partners frobnicate`) points at its own commands.
    const bool known_topic =
        !words.empty() &&
        std::any_of(program.commands.begin(), program.commands.end(),
                    [&](const Command& c) { return split_words(c.name).front() == words.front(); });
    std::string named = words.empty() ? std::string() : words.front();
    if (known_topic && words.size() > 1) named += " " + words[1];
    throw UsageError("unknown command '" + named + "' (`" + program.name +
                     (known_topic ? " " + words.front() : std::string()) +
                     " --help` lists the commands)");
  }
  const Command& command = *parsed.command;
  const std::size_t skip = split_words(command.name).size();

  // Pass 2: the command's own options and operands.
  std::vector<std::string> own(rest.begin() + static_cast<std::ptrdiff_t>(skip), rest.end());
  if (dashes_given) {
    own.push_back("--");
    own.insert(own.end(), after.begin(), after.end());
  }
  for (const auto& given : run(own, command.options, false, " for " + command.name,
                               program.name + " " + command.name)) {
    if (given.string_key.empty()) {
      parsed.operands.push_back(given.value.front());
      continue;
    }
    keep(parsed, *find_option(command.options, given.string_key), given, false);
  }
  const std::string usage = program.name + " " + usage_line(command);
  check_no_more(command.operands, parsed.operands, command.name, program.name + " " + command.name);
  if (parsed.help || parsed.version) return parsed;
  check_required(command.options, parsed, command.name, usage);
  check_operands(command.operands, parsed.operands, command.name, usage);
  return parsed;
}

std::string help(const Program& program) {
  std::string out = top_usage(program);
  if (!program.summary.empty()) out += wrapped(program.summary, 0) + "\n";
  out += options_block("Options", globals_of(program));
  out += commands_block(program, {});
  if (!program.commands.empty())
    out += "\n`" + program.name + " COMMAND --help` shows a command's options.\n";
  if (!program.details.empty()) out += "\n" + reflowed(program.details);
  return out;
}

std::string help(const Program& program, const Command& command) {
  std::string out = "usage: " + program.name + " " + usage_line(command) + "\n";
  if (!command.summary.empty()) out += wrapped(command.summary, 0) + "\n";
  out += options_block("Options", command.options);
  if (!command.details.empty()) out += "\n" + reflowed(command.details);
  out += "\nThe global options (`" + program.name + " --help`) go before or after the command.\n";
  return out;
}

std::string help(const Program& program, std::string_view topic) {
  const std::string commands = commands_block(program, topic);
  if (commands.empty()) return help(program);
  return top_usage(program) + commands + "\n`" + program.name +
         " COMMAND --help` shows a command's options.\n";
}

std::string help(const Program& program, const Parsed& parsed) {
  if (parsed.command != nullptr) return help(program, *parsed.command);
  if (!parsed.topic.empty()) return help(program, parsed.topic);
  return help(program);
}

std::string version(const Program& program) {
  return program.name + " " + program.version + "\n";
}

}  // namespace lmp::cli
