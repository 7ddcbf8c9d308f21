// The shape of one lmpctl command: its words, the HTTP call it makes, where each argument goes
// and how its answer is shown. The commands themselves are in commands.cpp.
#pragma once

#include <string_view>
#include <vector>

namespace lmpctl {

enum class ParamType {
  text,     // a JSON string (or the text of a query parameter or path segment)
  integer,  // a JSON integer; refused unless the argument is one (or a name: Param::names)
  time,     // Unix seconds or an ISO 8601 UTC date or date and time (calendar::parse_time), sent as
            // Unix seconds
  boolean,  // a JSON true or false, from `true` or `false`
  flag,     // an option without a value (`--dry-run`), sent as true
  list,     // a JSON array of strings: a repeated option or the last positional, taking the rest
  json_file,  // a file holding a JSON object (`-`: standard input) whose fields join the body
};

enum class ParamSource { positional, option };

// What an argument that names something names: it takes the name or the id (the code, for a
// product), and lmpctl looks the name up before the call (name_lookup.hpp).
enum class Names { nothing, customer, partner, user, plan, product };

// A command that is more than one call, with its own output (runner.cpp runs it).
enum class Composite {
  none,
  site_status,  // `status`: licenses and leases together (site_status.hpp)
};

// One argument of a command. Where it goes follows from the command: a `{key}` in the path
// template takes it, otherwise it is a query parameter of a GET or DELETE and a body field of
// anything else.
struct Param {
  std::string_view name;  // the option without "--", or the positional's name in the usage
  ParamSource source = ParamSource::option;
  ParamType type = ParamType::text;
  bool required = false;
  std::string_view key =
      {};  // the JSON field, query parameter or {path segment}; `name` when empty
  // A seat checkout's `wait` keeps the server silent that long on purpose: the network timeout
  // grows by it.
  bool adds_to_timeout = false;
  Names names = Names::nothing;
  // A query parameter even of a call with a body (`?dry_run=true`).
  bool in_query = false;

  std::string_view field() const { return key.empty() ? name : key; }
};

// A required positional argument.
constexpr Param arg(std::string_view name, ParamType type = ParamType::text,
                    std::string_view key = {}) {
  return Param{name, ParamSource::positional, type, true, key};
}
// An optional `--name VALUE`.
constexpr Param opt(std::string_view name, ParamType type = ParamType::text,
                    std::string_view key = {}) {
  return Param{name, ParamSource::option, type, false, key};
}
// A `--name VALUE` that must be given.
constexpr Param required_opt(std::string_view name, ParamType type = ParamType::text,
                             std::string_view key = {}) {
  return Param{name, ParamSource::option, type, true, key};
}

// An optional `--name` without a value, sent as the query parameter `key` = true.
constexpr Param query_flag(std::string_view name, std::string_view key) {
  return Param{.name = name, .type = ParamType::flag, .key = key, .in_query = true};
}

// The same argument taking a name as well as an id.
constexpr Param naming(Param param, Names what) {
  param.names = what;
  return param;
}

struct CommandSpec {
  std::vector<std::string_view> words = {};  // {"partners", "list"}
  std::string_view method = {};              // empty for the generic `api` command
  std::string_view path = {};                // "/v1/partners/{id}/status"
  std::vector<Param> params = {};
  std::string_view fixed_body = {};  // a JSON object merged into the body: {"status":"active"}
  // Table columns for the items of a list (dotted for nested fields: "actor.user"); empty: the
  // keys of the first item.
  std::vector<std::string_view> columns = {};
  bool paged = false;  // a list of the admin API: --limit, --after, --all and the `next` hint
  bool auth = true;    // sends the bearer token, so needs one
  bool csv = false;    // the endpoint answers CSV too: --csv asks for it and prints it as it is
  // Without --json, only this string field of the answer is printed, as it is, on one line: a
  // text meant for a file (an exported entitlement: `> FILE`). "LIST[].FIELD": that field of
  // each item of the array LIST, one a line (the keys issued: `| while read key`).
  std::string_view text_field = {};
  std::string_view summary = {};
  // A body field that is a secret (a password): never an argument, read at run time from a
  // prompt without echo, or from the first line of standard input (core/secret_input.hpp).
  std::string_view secret_field = {};
  Composite composite = Composite::none;  // method and path are then empty
};

// Every command lmpctl knows, in the order of the usage text.
const std::vector<CommandSpec>& commands();

}  // namespace lmpctl
