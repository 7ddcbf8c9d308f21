// Parsing lmp-bench's arguments. Hand-written rather than Boost.Program_options so that every
// refusal is one predictable line that names the argument (the benchmark scripts show it as is).
#include "options.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>

namespace lmp::bench {
namespace {

struct ArgError {
  std::string message;
};

template <typename Int>
Int parse_int(std::string_view flag, std::string_view text, Int lo, Int hi) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) {
    throw ArgError{std::string(flag) + ": " + std::string(text) + " is out of range " +
                   std::to_string(lo) + ".." + std::to_string(hi)};
  }
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    throw ArgError{std::string(flag) + ": not a number: '" + std::string(text) + "'"};
  }
  if (value < static_cast<long long>(lo) || value > static_cast<long long>(hi)) {
    throw ArgError{std::string(flag) + ": " + std::string(text) + " is out of range " +
                   std::to_string(lo) + ".." + std::to_string(hi)};
  }
  return static_cast<Int>(value);
}

// Seconds; fractions are allowed so that tests can run short.
double parse_seconds(std::string_view flag, std::string_view text, double lo, bool lo_inclusive,
                     double hi) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
      !std::isfinite(value)) {
    throw ArgError{std::string(flag) + ": not a number: '" + std::string(text) + "'"};
  }
  bool low_ok = lo_inclusive ? value >= lo : value > lo;
  if (!low_ok || value > hi) {
    std::string range = lo_inclusive ? "0.." : "more than 0 and at most ";
    throw ArgError{std::string(flag) + ": " + std::string(text) + " is out of range " + range +
                   std::to_string(static_cast<long long>(hi))};
  }
  return value;
}

Target parse_target(std::string_view text) {
  if (text == "lmpd") return Target::lmpd;
  if (text == "echo") return Target::echo;
  if (text == "redis") return Target::redis;
  if (text == "postgres") return Target::postgres;
  throw ArgError{"--target: unknown target '" + std::string(text) +
                 "' (lmpd, echo, redis or postgres)"};
}

// Cuts a comma-separated list; an empty element (",," or a trailing comma) is refused, naming
// `what` and the whole list.
std::vector<std::string_view> split_list(std::string_view flag, std::string_view text,
                                         std::string_view what) {
  std::vector<std::string_view> items;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = text.find(',', start);
    std::string_view item = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (item.empty()) {
      throw ArgError{std::string(flag) + ": empty " + std::string(what) + " in '" +
                     std::string(text) + "'"};
    }
    items.push_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return items;
}

std::vector<Op> parse_mix(std::string_view flag, std::string_view text) {
  std::vector<Op> mix;
  for (std::string_view item : split_list(flag, text, "operation")) {
    if (item == "checkout") {
      mix.push_back(Op::checkout);
    } else if (item == "heartbeat") {
      mix.push_back(Op::heartbeat);
    } else if (item == "checkin") {
      mix.push_back(Op::checkin);
    } else {
      throw ArgError{std::string(flag) + ": unknown operation '" + std::string(item) +
                     "' (checkout, heartbeat or checkin)"};
    }
  }
  return mix;
}

// One port, or several on the same host: "7001,7002,7003". Each element is checked on its own,
// so an error names the bad one.
std::vector<std::uint16_t> parse_ports(std::string_view flag, std::string_view text) {
  std::vector<std::uint16_t> ports;
  for (std::string_view item : split_list(flag, text, "port")) {
    ports.push_back(parse_int<std::uint16_t>(flag, item, 1, 65535));
  }
  return ports;
}

Options parse_or_throw(const std::vector<std::string>& args, bool& help) {
  Options o;
  bool have_target = false;
  bool have_port = false;
  using Setter = std::function<void(std::string_view flag, std::string_view value)>;
  const std::map<std::string_view, Setter> setters = {
      {"--target",
       [&](auto, auto v) {
         o.target = parse_target(v);
         have_target = true;
       }},
      {"--host",
       [&](auto f, auto v) {
         if (v.empty()) throw ArgError{std::string(f) + ": empty host"};
         o.host = v;
       }},
      {"--port",
       [&](auto f, auto v) {
         o.ports = parse_ports(f, v);
         o.port = o.ports.front();
         if (o.ports.size() == 1) o.ports.clear();
         have_port = true;
       }},
      {"--pg", [&](auto, auto v) { o.pg_conninfo = v; }},
      {"--connections", [&](auto f, auto v) { o.connections = parse_int<int>(f, v, 1, 10000); }},
      {"--pipeline", [&](auto f, auto v) { o.pipeline = parse_int<int>(f, v, 1, 4096); }},
      {"--duration", [&](auto f, auto v) { o.duration_s = parse_seconds(f, v, 0, false, 86400); }},
      {"--warmup", [&](auto f, auto v) { o.warmup_s = parse_seconds(f, v, 0, true, 3600); }},
      {"--mix", [&](auto f, auto v) { o.mix = parse_mix(f, v); }},
      {"--code",
       [&](auto f, auto v) {
         if (v.empty()) throw ArgError{std::string(f) + ": empty activation code"};
         o.code = v;
       }},
      {"--codes-file",
       [&](auto f, auto v) {
         std::ifstream in{std::string(v)};
         if (!in) throw ArgError{std::string(f) + ": cannot read " + std::string(v)};
         o.codes.clear();
         for (std::string line; std::getline(in, line);)
           if (!line.empty()) o.codes.push_back(line);
         if (o.codes.empty()) throw ArgError{std::string(f) + ": no code in " + std::string(v)};
         o.code = o.codes.front();
       }},
      {"--units",
       [&](auto f, auto v) { o.units = parse_int<std::int64_t>(f, v, 1, 1000000000000LL); }},
      {"--json",
       [&](auto f, auto v) {
         if (v.empty()) throw ArgError{std::string(f) + ": empty file name"};
         o.json_path = v;
       }},
      {"--threads", [&](auto f, auto v) { o.threads = parse_int<int>(f, v, 1, 64); }},
  };

  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      help = true;
      return o;
    }
    if (!arg.starts_with("--")) throw ArgError{"unexpected argument '" + std::string(arg) + "'"};
    std::string_view flag = arg;
    std::optional<std::string_view> value;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      flag = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    auto it = setters.find(flag);
    if (it == setters.end()) throw ArgError{"unknown argument " + std::string(flag)};
    if (!value) {
      // A following flag is a forgotten value, not a value that starts with "--".
      if (i + 1 >= args.size() || args[i + 1].starts_with("--")) {
        throw ArgError{"missing value for " + std::string(flag)};
      }
      value = args[++i];
    }
    it->second(flag, *value);
  }

  if (!have_target) throw ArgError{"missing --target (lmpd, echo, redis or postgres)"};
  if (o.target == Target::lmpd && o.code.empty()) {
    throw ArgError{"--code or --codes-file is required with --target lmpd"};
  }
  if (o.target == Target::echo && o.code.empty()) o.code = "ECHO-BENCH";
  if (!have_port) o.port = default_port(o.target);
  if (!o.ports.empty()) {
    // Redis loads its seat scripts on one server, and PostgreSQL takes its server from --pg.
    if (o.target != Target::lmpd && o.target != Target::echo) {
      throw ArgError{"--port: a list of ports works with --target lmpd or echo only"};
    }
    if (o.ports.size() > static_cast<std::size_t>(o.connections)) {
      throw ArgError{"--port: " + std::to_string(o.ports.size()) + " ports but " +
                     std::to_string(o.connections) +
                     " connections: every port needs at least one connection"};
    }
  }
  return o;
}

}  // namespace

ParsedArgs parse_args(const std::vector<std::string>& args) {
  ParsedArgs out;
  try {
    Options o = parse_or_throw(args, out.help);
    if (!out.help) out.options = std::move(o);
  } catch (const ArgError& e) {
    out.error = e.message;
  }
  return out;
}

std::string usage() {
  return R"(usage: lmp-bench --target lmpd|echo|redis|postgres [options]
  --host HOST           server address (default 127.0.0.1; not used by postgres)
  --port N[,N...]       lmpd 27400, echo 27499, redis 6379 by default; lmpd and echo take a
                        list (servers on the same host): connection i goes to port i % count
  --pg CONNINFO         libpq conninfo for --target postgres
  --connections N       TCP connections (default 16)
  --pipeline N          requests in flight per connection (default 1)
  --duration S          measured seconds (default 10)
  --warmup S            seconds before measuring starts (default 2)
  --mix OPS             the cycle each slot runs (default checkout,heartbeat,checkin)
  --code CODE           activation code (required for lmpd)
  --codes-file FILE     activation codes, one a line: checkouts take them in turn
  --units N             seat total of the redis/postgres seat scripts (default 1000000)
  --json FILE           also write the report as JSON
  --threads N           client event-loop threads (default 1)
Exit status: 0 the run completed (errors are part of the report), 1 could not connect or
set up, 2 bad arguments.
)";
}

std::uint16_t default_port(Target target) {
  switch (target) {
    case Target::lmpd:
      return 27400;
    case Target::echo:
      return 27499;
    case Target::redis:
      return 6379;
    case Target::postgres:
      return 5432;
  }
  return 0;
}

std::string_view target_name(Target target) {
  switch (target) {
    case Target::lmpd:
      return "lmpd";
    case Target::echo:
      return "echo";
    case Target::redis:
      return "redis";
    case Target::postgres:
      return "postgres";
  }
  return "?";
}

std::string_view op_name(Op op) {
  switch (op) {
    case Op::checkout:
      return "checkout";
    case Op::heartbeat:
      return "heartbeat";
    case Op::checkin:
      return "checkin";
  }
  return "?";
}

std::vector<std::uint16_t> target_ports(const Options& options) {
  if (options.ports.empty()) return {options.port};
  return options.ports;
}

std::string mix_text(const std::vector<Op>& mix) {
  std::string out;
  for (Op op : mix) {
    if (!out.empty()) out += ',';
    out += op_name(op);
  }
  return out;
}

}  // namespace lmp::bench
