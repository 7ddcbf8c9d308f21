// Where lmpctl finds its server, token, timeout and CA file: the flags, else the environment
// (LMPCTL_SERVER, LMPCTL_TOKEN, LMPCTL_TIMEOUT, LMPCTL_CA_FILE), else the config file, else the
// defaults.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "command_line.hpp"
#include "server_url.hpp"

namespace lmpctl {

struct Settings {
  std::string server = kDefaultServer;
  std::string token;  // empty when none is configured
  std::chrono::seconds timeout{10};
  std::string
      ca_file;  // https: the CAs the server's certificate must chain to; "" for the system's
};

// What a config file says; unset keys stay nullopt.
struct ConfigFile {
  std::optional<std::string> server;
  std::optional<std::string> token;
  std::optional<std::chrono::seconds> timeout;
  std::optional<std::string> ca_file;
};

using Environment = std::function<std::optional<std::string>(const std::string& name)>;

// The config file used without --config: $XDG_CONFIG_HOME/lmpctl/config.yaml, else
// $HOME/.config/lmpctl/config.yaml; nullopt when neither variable is set.
std::optional<std::string> default_config_path(const Environment& env);

// Reads a config file (keys server, token, timeout, ca_file). Throws UsageError with every problem
// as "file:line:column: message", and when the file holds a token but others may read or write it.
ConfigFile read_config_file(const std::string& path);

// Throws UsageError (a bad timeout, an unreadable or broken config file). A missing default
// config file is no error; a missing --config file is.
Settings resolve_settings(const GlobalOptions& flags, const Environment& env);

}  // namespace lmpctl
