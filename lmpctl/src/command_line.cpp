// Splitting argv into global options, the command and its arguments; the usage text, written from
// the same CommandSpecs so that it cannot drift from what the parser accepts.
#include "command_line.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/calendar.hpp"
#include "core/command_line.hpp"
#include "option_help.hpp"

namespace lmpctl {

namespace {

namespace cli = lmp::cli;

bool is_integer(const std::string& text) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

std::string upper(std::string_view text) {
  std::string out;
  for (char c : text) out += c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return out;
}

std::string joined_words(const CommandSpec& spec) {
  std::string out;
  for (auto word : spec.words) out += (out.empty() ? "" : " ") + std::string(word);
  return out;
}

std::optional<std::string> optional_value(const lmp::cli::Parsed& parsed, std::string_view name) {
  const std::string* value = parsed.value(name);
  return value == nullptr ? std::nullopt : std::optional<std::string>(*value);
}

void store(CommandLine& line, const Param& param, std::string value) {
  // A name stays as given until it is looked up (name_lookup.hpp).
  if (param.type == ParamType::integer && param.names == Names::nothing && !is_integer(value))
    throw UsageError(std::string(param.name) + " must be an integer, got '" + value + "'");
  if (param.names != Names::nothing && value.empty())
    throw UsageError(std::string(param.name) + " must be a name or an id, got ''");
  if (param.type == ParamType::time) {
    const auto seconds = lmp::calendar::parse_time(value);
    if (!seconds)
      throw UsageError(std::string(param.name) +
                       " must be Unix seconds, a date YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]Z (UTC), "
                       "got '" +
                       value + "'");
    value = std::to_string(*seconds);
  }
  if (param.type == ParamType::boolean && value != "true" && value != "false")
    throw UsageError(std::string(param.name) + " must be true or false, got '" + value + "'");
  auto& values = line.values[std::string(param.name)];
  if (!values.empty() && param.type != ParamType::list)
    throw UsageError("--" + std::string(param.name) + " is given twice");
  values.push_back(std::move(value));
}

// lmpctl as the shared parser sees it: the global options, and each command's options and
// operands from its CommandSpec (commands[i] is specs[i]).
cli::Program program_of(const std::vector<CommandSpec>& specs) {
  cli::Program program{
      .name = "lmpctl",
      .version = LMPCTL_VERSION,
      .summary =
          "The command line of lmpd's admin HTTP API: tables for people, the server's "
          "JSON with --json.",
      .options = {{.name = "server",
                   .value = "URL",
                   .description = "the admin API's address (else $LMPCTL_SERVER, the config file, "
                                  "http://127.0.0.1:27480)"},
                  {.name = "token",
                   .value = "TOKEN",
                   .description = "the API token (else $LMPCTL_TOKEN, the config file)"},
                  {.name = "config",
                   .value = "FILE",
                   .description = "the config file (default $XDG_CONFIG_HOME/lmpctl/config.yaml)"},
                  {.name = "timeout",
                   .value = "SECONDS",
                   .description =
                       "the limit of each exchange, 1 to 3600 (else $LMPCTL_TIMEOUT, the "
                       "config file, 10)"},
                  {.name = "ca-file",
                   .value = "FILE",
                   .description = "the CAs an https:// server's certificate must chain to (else "
                                  "$LMPCTL_CA_FILE, the config file, the system's)"},
                  {.name = "json", .description = "print the server's JSON answer as it is"},
                  {.name = "all", .description = "follow a list's pages to the end: every item"},
                  {.name = "csv",
                   .description =
                       "print a report's CSV as the server sends it (usage report, usage "
                       "denials)"}},
      .details =
          "Server, token, timeout and CA file come from the options, else LMPCTL_SERVER, "
          "LMPCTL_TOKEN, LMPCTL_TIMEOUT and LMPCTL_CA_FILE, else the config file (default "
          "$XDG_CONFIG_HOME/lmpctl/config.yaml). An https:// server's certificate is verified "
          "against the CA file (default: the system's CAs) and the URL's host.\n\n"
          "Customers, partners, users, plans and products are named by name or id; a TIME is "
          "Unix seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]Z (UTC).\n\n"
          "Exit status: 0 ok, 1 the API refused (4xx), 2 usage or configuration error, 3 no "
          "answer (cannot connect, timeout), a server error (5xx) or a server that is not lmpd. "
          "See docs/lmpctl.md.\n"};
  for (const auto& spec : specs) {
    // The usage line lmpctl has always shown, without the command's words.
    const std::string words = joined_words(spec);
    const std::string usage = usage_line(spec);
    cli::Command command{
        .name = words,
        .summary = std::string(spec.summary),
        .synopsis = usage.size() > words.size() ? usage.substr(words.size() + 1) : std::string()};
    // What is required is checked by parse_command_line, after each value is: a bad value is
    // the first thing said, as it always was.
    for (const auto& param : spec.params) {
      if (param.source == ParamSource::positional) {
        command.operands.push_back(
            {.name = upper(param.name), .required = false, .many = param.type == ParamType::list});
        continue;
      }
      command.options.push_back({.name = std::string(param.name),
                                 .value = param.type == ParamType::flag   ? std::string()
                                          : param.type == ParamType::time ? std::string("TIME")
                                                                          : upper(param.name),
                                 .description = option_help(param),
                                 .repeatable = param.type == ParamType::list});
    }
    if (spec.paged) {
      command.options.push_back(
          {.name = "limit", .value = "N", .description = option_help(Param{.name = "limit"})});
      command.options.push_back(
          {.name = "after", .value = "CURSOR", .description = option_help(Param{.name = "after"})});
    }
    program.commands.push_back(std::move(command));
  }
  return program;
}

}  // namespace

CommandLine parse_command_line(const std::vector<std::string>& args,
                               const std::vector<CommandSpec>& specs) {
  const cli::Program program = program_of(specs);
  cli::Parsed parsed;
  try {
    parsed = cli::parse(program, args);
  } catch (const cli::UsageError& e) {
    throw UsageError(e.what());
  }
  CommandLine line;
  GlobalOptions& globals = line.globals;
  globals.server = optional_value(parsed, "server");
  globals.token = optional_value(parsed, "token");
  globals.config = optional_value(parsed, "config");
  globals.timeout = optional_value(parsed, "timeout");
  globals.ca_file = optional_value(parsed, "ca-file");
  globals.json = parsed.has("json");
  globals.all = parsed.has("all");
  globals.csv = parsed.has("csv");
  globals.help = parsed.help;
  globals.version = parsed.version;
  line.help_topic = parsed.topic;
  if (parsed.command == nullptr) return line;
  const CommandSpec& spec =
      specs[static_cast<std::size_t>(parsed.command - program.commands.data())];
  line.command = &spec;

  // The values, checked and converted by what each parameter takes.
  std::size_t next = 0;
  for (const auto& param : spec.params) {
    if (param.source == ParamSource::positional) {
      if (param.type == ParamType::list) {
        for (; next < parsed.operands.size(); ++next) store(line, param, parsed.operands[next]);
      } else if (next < parsed.operands.size()) {
        store(line, param, parsed.operands[next++]);
      }
      continue;
    }
    const auto given = parsed.options.find(param.name);
    if (given == parsed.options.end()) continue;
    for (const auto& value : given->second)
      store(line, param, param.type == ParamType::flag ? "true" : value);
  }
  if (spec.paged) {
    if (const auto* limit = parsed.value("limit"))
      store(line, Param{.name = "limit", .type = ParamType::integer}, *limit);
    if (const auto* after = parsed.value("after")) store(line, Param{.name = "after"}, *after);
  }
  if (globals.help) return line;
  if (globals.csv && !spec.csv)
    throw UsageError("--csv works only for commands that answer CSV, not " + joined_words(spec));
  if (globals.csv && globals.json) throw UsageError("--csv and --json: choose one");
  for (const auto& param : spec.params) {
    if (!param.required || line.values.contains(param.name)) continue;
    throw UsageError(
        joined_words(spec) + " needs " +
        (param.source == ParamSource::option ? "--" + std::string(param.name) : upper(param.name)) +
        "\nusage: lmpctl " + usage_line(spec));
  }
  return line;
}

std::string usage_line(const CommandSpec& spec) {
  std::string out = joined_words(spec);
  for (const auto& param : spec.params) {
    std::string part = param.source == ParamSource::positional ? upper(param.name)
                       : param.type == ParamType::flag
                           ? "--" + std::string(param.name)
                           : "--" + std::string(param.name) + " " +
                                 (param.type == ParamType::time ? "TIME" : upper(param.name));
    if (param.type == ParamType::list) part += "...";
    out += " " + (param.required ? part : "[" + part + "]");
  }
  if (spec.paged) out += " [--limit N] [--after CURSOR] [--all]";
  if (spec.csv) out += " [--csv]";
  return out;
}

std::string usage_text(const std::vector<CommandSpec>& specs, const std::string& resource) {
  const cli::Program program = program_of(specs);
  return resource.empty() ? cli::help(program) : cli::help(program, resource);
}

std::string help_text(const CommandLine& line, const std::vector<CommandSpec>& specs) {
  const cli::Program program = program_of(specs);
  if (line.command != nullptr)
    return cli::help(program,
                     program.commands[static_cast<std::size_t>(line.command - specs.data())]);
  return usage_text(specs, line.help_topic);
}

std::string version_text(const std::vector<CommandSpec>& specs) {
  return cli::version(program_of(specs));
}

}  // namespace lmpctl
