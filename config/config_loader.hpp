// Loads and validates the daemon's YAML configuration, reporting every problem with its position
// instead of stopping at the first one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace lmp::config {

struct Error {
  Position position;  // line 0 when there is no position (e.g. the file could not be read)
  std::string message;

  // "file:line:column: message", or "file: message" when there is no position.
  std::string to_string() const;
};

struct LoadResult {
  std::optional<Config> config;  // set only when errors is empty
  std::vector<Error> errors;     // every error found, in file order
  bool ok() const { return errors.empty(); }
};

// Reads and validates the file at `path`. Relative paths inside it resolve against the file's own
// folder. Never throws; an unreadable file is one error without a position.
LoadResult load_file(const std::string& path);

// Validates `yaml` as if it were read from `file_name` (used only in messages and
// Config::source_file). Relative paths inside it resolve against `base_dir`; a relative or empty
// `base_dir` is taken relative to the current directory. Never throws.
LoadResult load_string(const std::string& yaml, const std::string& file_name,
                       const std::string& base_dir);

}  // namespace lmp::config
