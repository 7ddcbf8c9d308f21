// Splitting argv into global options, the command and its arguments; the usage text, written from
// the same CommandSpecs so that it cannot drift from what the parser accepts.
#include "command_line.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/calendar.hpp"

namespace lmpctl {

namespace {

struct GlobalOption {
  std::string_view name;
  bool takes_value;
};
constexpr GlobalOption kGlobalOptions[] = {
    {"server", true}, {"token", true}, {"config", true}, {"timeout", true}, {"ca-file", true},
    {"json", false},  {"all", false},  {"csv", false},   {"help", false},   {"version", false},
};

void set_global(GlobalOptions& globals, std::string_view name, std::string value) {
  if (name == "server") globals.server = std::move(value);
  if (name == "token") globals.token = std::move(value);
  if (name == "config") globals.config = std::move(value);
  if (name == "timeout") globals.timeout = std::move(value);
  if (name == "ca-file") globals.ca_file = std::move(value);
  if (name == "json") globals.json = true;
  if (name == "all") globals.all = true;
  if (name == "csv") globals.csv = true;
  if (name == "help") globals.help = true;
  if (name == "version") globals.version = true;
}

bool is_option(const std::string& arg) {
  return arg.size() > 2 && arg.starts_with("--");
}

// "--name=value" → {"name", "value"}; "--name" → {"name", nullopt}.
std::pair<std::string, std::optional<std::string>> split_option(const std::string& arg) {
  const auto eq = arg.find('=');
  if (eq == std::string::npos) return {arg.substr(2), std::nullopt};
  return {arg.substr(2, eq - 2), arg.substr(eq + 1)};
}

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

// The spec whose words are the longest prefix of `words`.
const CommandSpec* match(const std::vector<std::string>& words,
                         const std::vector<CommandSpec>& specs) {
  const CommandSpec* best = nullptr;
  for (const auto& spec : specs) {
    if (spec.words.size() > words.size()) continue;
    if (!std::equal(spec.words.begin(), spec.words.end(), words.begin())) continue;
    if (best == nullptr || spec.words.size() > best->words.size()) best = &spec;
  }
  return best;
}

const Param* option_of(const CommandSpec& spec, std::string_view name) {
  for (const auto& param : spec.params)
    if (param.source == ParamSource::option && param.name == name) return &param;
  return nullptr;
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

}  // namespace

CommandLine parse_command_line(const std::vector<std::string>& args,
                               const std::vector<CommandSpec>& specs) {
  CommandLine line;
  // Pass 1: the global options, wherever they are; the rest keeps its order.
  std::vector<std::string> rest;
  std::size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;
    if (arg == "-h") {
      line.globals.help = true;
      continue;
    }
    if (!is_option(arg)) {
      rest.push_back(arg);
      continue;
    }
    auto [name, inline_value] = split_option(arg);
    auto global = std::find_if(std::begin(kGlobalOptions), std::end(kGlobalOptions),
                               [&](const GlobalOption& o) { return o.name == name; });
    if (global == std::end(kGlobalOptions)) {
      rest.push_back(arg);
      continue;
    }
    if (!global->takes_value) {
      if (inline_value) throw UsageError("--" + name + " takes no value");
      set_global(line.globals, name, {});
    } else if (inline_value) {
      set_global(line.globals, name, *inline_value);
    } else {
      if (i + 1 >= args.size()) throw UsageError("--" + name + " needs a value");
      set_global(line.globals, name, args[++i]);
    }
  }
  // After "--" everything is a positional, even when it starts with "--".
  std::vector<std::string> after_dashes(
      args.begin() + static_cast<std::ptrdiff_t>(std::min(i + 1, args.size())), args.end());

  // Pass 2: the command words.
  std::vector<std::string> words;
  for (const auto& arg : rest) {
    if (is_option(arg)) break;
    words.push_back(arg);
  }
  if (words.empty() && after_dashes.empty()) {
    if (line.globals.help || line.globals.version) return line;
    throw UsageError("no command given");
  }
  line.command = match(words, specs);
  if (line.command == nullptr) {
    if (line.globals.help) {
      if (!words.empty()) line.help_topic = words.front();
      return line;
    }
    throw UsageError("unknown command: " + (words.empty() ? std::string() : words.front()) +
                     (words.size() > 1 ? " " + words[1] : std::string()));
  }
  const CommandSpec& spec = *line.command;

  // Pass 3: the command's own arguments.
  std::vector<std::string> positionals;
  auto paged_option = [&](std::string_view name) {
    return spec.paged && (name == "limit" || name == "after");
  };
  for (std::size_t k = spec.words.size(); k < rest.size(); ++k) {
    const std::string& arg = rest[k];
    if (!is_option(arg)) {
      positionals.push_back(arg);
      continue;
    }
    auto [name, inline_value] = split_option(arg);
    const Param* param = option_of(spec, name);
    if (param == nullptr && !paged_option(name))
      throw UsageError("unknown option --" + name + " for " + joined_words(spec));
    std::string value;
    if (param != nullptr && param->type == ParamType::flag) {
      if (inline_value) throw UsageError("--" + name + " takes no value");
      value = "true";
    } else if (inline_value) {
      value = *inline_value;
    } else {
      if (k + 1 >= rest.size()) throw UsageError("--" + name + " needs a value");
      value = rest[++k];
    }
    if (param != nullptr) {
      store(line, *param, std::move(value));
    } else {
      const Param paging{.name = name == "limit" ? "limit" : "after",
                         .type = name == "limit" ? ParamType::integer : ParamType::text};
      store(line, paging, std::move(value));
    }
  }
  positionals.insert(positionals.end(), after_dashes.begin(), after_dashes.end());

  std::size_t next = 0;
  for (const auto& param : spec.params) {
    if (param.source != ParamSource::positional) continue;
    if (param.type == ParamType::list) {
      for (; next < positionals.size(); ++next) store(line, param, positionals[next]);
    } else if (next < positionals.size()) {
      store(line, param, positionals[next++]);
    }
  }
  if (next < positionals.size())
    throw UsageError("unexpected argument '" + positionals[next] + "' for " + joined_words(spec));
  if (line.globals.help) return line;
  if (line.globals.csv && !spec.csv)
    throw UsageError("--csv works only for commands that answer CSV, not " + joined_words(spec));
  if (line.globals.csv && line.globals.json) throw UsageError("--csv and --json: choose one");
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
  std::string out =
      "usage: lmpctl [--server URL] [--token TOKEN] [--config FILE] [--timeout SECONDS]\n"
      "              [--ca-file FILE] [--json] COMMAND [ARGUMENTS]\n\ncommands:\n";
  for (const auto& spec : specs) {
    if (!resource.empty() && spec.words.front() != resource) continue;
    out += "  " + usage_line(spec) + "\n";
    if (!spec.summary.empty()) out += "      " + std::string(spec.summary) + "\n";
  }
  out +=
      "\nServer, token, timeout and CA file come from the flags, else LMPCTL_SERVER, "
      "LMPCTL_TOKEN,\n"
      "LMPCTL_TIMEOUT and LMPCTL_CA_FILE, else the config file (default\n"
      "$XDG_CONFIG_HOME/lmpctl/config.yaml). https:// servers are verified against --ca-file\n"
      "(default: the system's CAs) and the URL's host.\n"
      "Exit status: 0 ok, 1 the API refused (4xx), 2 usage or configuration error, 3 no answer\n"
      "(cannot connect, timeout) or a server error (5xx). See docs/lmpctl.md.\n";
  return out;
}

}  // namespace lmpctl
