// lmp-bench's command line: the run it describes, and the parser that turns bad arguments into
// one line naming the argument.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lmp::bench {

enum class Target { lmpd, echo, redis, postgres };
enum class Op : std::uint8_t { checkout, heartbeat, checkin };

struct Options {
  Target target = Target::lmpd;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // the target's default port unless --port was given; the first
                           // of `ports` when it lists several
  // Every port of --port 7001,7002,... on the same host, in order: connection i goes to
  // ports[i % ports.size()]. Empty: `port` alone (lmpd and echo only take several).
  std::vector<std::uint16_t> ports;
  std::string pg_conninfo;  // libpq conninfo; empty: libpq's defaults (PGHOST, ...)
  int connections = 16;
  int pipeline = 1;  // slots (requests in flight) per connection
  double duration_s = 10;
  double warmup_s = 2;
  std::vector<Op> mix{Op::checkout, Op::heartbeat, Op::checkin};
  std::string code;  // activation code for lmpd and echo
  // --codes-file: several licenses' codes, checkouts taking them in turn (`code` is the first).
  std::vector<std::string> codes;
  std::int64_t units = 1000000;
  std::string json_path;
  int threads = 1;
};

struct ParsedArgs {
  std::optional<Options> options;  // set when the arguments were valid and not --help
  bool help = false;
  std::string error;  // one line naming the bad argument
};

// `args` excludes the program name.
ParsedArgs parse_args(const std::vector<std::string>& args);
std::string usage();

std::uint16_t default_port(Target target);
std::string_view target_name(Target target);
std::string_view op_name(Op op);
std::string mix_text(const std::vector<Op>& mix);  // "checkout,heartbeat,checkin"
// The ports connections go to, round-robin: `ports`, or `port` alone when it is empty.
std::vector<std::uint16_t> target_ports(const Options& options);

}  // namespace lmp::bench
