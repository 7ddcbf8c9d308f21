// The precedence of the settings sources, and the config file, read with the config loader's
// position-aware YAML walker so its messages look like lmpd's.
#include "settings.hpp"

#include <sys/stat.h>

#include <yaml-cpp/yaml.h>
#include <charconv>
#include <fstream>
#include <sstream>

#include "config/yaml_walker.hpp"

namespace lmpctl {

namespace {

constexpr std::int64_t kMaxTimeoutSeconds = 3600;

std::chrono::seconds parse_timeout(const std::string& text, const std::string& origin) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 ||
      value > kMaxTimeoutSeconds)
    throw UsageError(origin + " must be a number of seconds from 1 to " +
                     std::to_string(kMaxTimeoutSeconds) + ", got '" + text + "'");
  return std::chrono::seconds(value);
}

std::string join_errors(const std::vector<lmp::config::Error>& errors) {
  std::string out;
  for (const auto& error : errors) out += (out.empty() ? "" : "\n") + error.to_string();
  return out;
}

}  // namespace

std::optional<std::string> default_config_path(const Environment& env) {
  if (auto xdg = env("XDG_CONFIG_HOME"); xdg && xdg->starts_with("/"))
    return *xdg + "/lmpctl/config.yaml";
  if (auto home = env("HOME"); home && !home->empty()) return *home + "/.config/lmpctl/config.yaml";
  return std::nullopt;
}

ConfigFile read_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UsageError(path + ": cannot read the config file");
  std::stringstream text;
  text << in.rdbuf();

  namespace detail = lmp::config::detail;
  detail::Walker walker(path);
  ConfigFile file;
  try {
    const YAML::Node root = YAML::Load(text.str());
    if (!root.IsNull()) {
      walker.fields(
          detail::Item{root, "", root.Mark()},
          {{"server", [&](const detail::Item& item) { file.server = walker.text(item); }},
           {"token", [&](const detail::Item& item) { file.token = walker.text(item); }},
           {"ca_file", [&](const detail::Item& item) { file.ca_file = walker.text(item); }},
           {"timeout", [&](const detail::Item& item) {
              if (auto seconds = walker.integer(item, 1, kMaxTimeoutSeconds))
                file.timeout = std::chrono::seconds(*seconds);
            }}});
    }
  } catch (const YAML::Exception& e) {
    walker.error(e.mark, e.msg);
  }
  if (auto errors = walker.take_errors(); !errors.empty()) throw UsageError(join_errors(errors));

  // Like ssh with a private key: a token others can read is no secret, and a file others can
  // write could send the token to their server.
  struct stat info {};
  if (file.token && ::stat(path.c_str(), &info) == 0 && (info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    throw UsageError(path + ": holds a token but its mode is " + mode +
                     " (group or others may access it); chmod 600 " + path);
  }
  return file;
}

Settings resolve_settings(const GlobalOptions& flags, const Environment& env) {
  ConfigFile file;
  if (flags.config) {
    file = read_config_file(*flags.config);
  } else if (auto path = default_config_path(env)) {
    struct stat info {};
    if (::stat(path->c_str(), &info) == 0) file = read_config_file(*path);
  }
  Settings settings;
  auto pick = [](const std::optional<std::string>& flag, const std::optional<std::string>& from_env,
                 const std::optional<std::string>& from_file) -> std::optional<std::string> {
    if (flag) return flag;
    if (from_env && !from_env->empty()) return from_env;
    return from_file;
  };
  if (auto server = pick(flags.server, env("LMPCTL_SERVER"), file.server))
    settings.server = *server;
  if (auto token = pick(flags.token, env("LMPCTL_TOKEN"), file.token)) settings.token = *token;
  if (auto ca_file = pick(flags.ca_file, env("LMPCTL_CA_FILE"), file.ca_file))
    settings.ca_file = *ca_file;
  if (flags.timeout) {
    settings.timeout = parse_timeout(*flags.timeout, "--timeout");
  } else if (auto from_env = env("LMPCTL_TIMEOUT"); from_env && !from_env->empty()) {
    settings.timeout = parse_timeout(*from_env, "LMPCTL_TIMEOUT");
  } else if (file.timeout) {
    settings.timeout = *file.timeout;
  }
  return settings;
}

}  // namespace lmpctl
