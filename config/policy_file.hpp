// The site's policy file (`policy.file`): the customers' site policies in YAML, each read as the
// admin API reads its JSON (domain/site_policy.hpp), with every problem at file:line:column
// (docs/operations.md, "Site policy").
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "config/config_loader.hpp"
#include "domain/site_policies.hpp"

namespace lmp::config {

struct PolicyFile {
  std::vector<domain::FilePolicy> policies;  // in file order; usable only when ok()
  std::vector<Error> errors;                 // every problem, in file order
  bool ok() const { return errors.empty(); }

  // Where a problem found later (against the database) at the JSON `path` of policy `index`
  // was written: the longest part of the path the file has, else the policy's entry.
  Position position_of(std::size_t index, const std::string& path) const;

  // Where each policy's parts were written, by JSON path inside it ("" for the entry).
  std::vector<std::map<std::string, Position>> positions;
};

// Reads the file at `path`. Never throws; an unreadable file is one error without a position.
PolicyFile load_policy_file(const std::string& path);
// Reads `yaml` as if it came from `file_name` (which the positions name).
PolicyFile load_policy_string(const std::string& yaml, const std::string& file_name);

}  // namespace lmp::config
