// The HTTP call a parsed command line stands for: method, path, query and JSON body, built from
// the command's CommandSpec (or, for `api`, from its METHOD, PATH, --data and --field).
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "command_line.hpp"

namespace lmpctl {

struct ApiCall {
  std::string method;
  std::string path;                                        // percent-encoded, without the query
  std::vector<std::pair<std::string, std::string>> query;  // decoded names and values
  std::optional<boost::json::object> body;                 // none for GET and DELETE
  std::int64_t extra_timeout_seconds = 0;                  // Param::adds_to_timeout

  // path?query, percent-encoded.
  std::string target() const;
  // The same call asking for the page after `cursor`.
  ApiCall with_after(const std::string& cursor) const;
};

// Throws UsageError (bad --data or --field, unknown method).
ApiCall build_call(const CommandLine& line);

std::string percent_encode(std::string_view text);

}  // namespace lmpctl
