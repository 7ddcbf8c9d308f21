// lmp-bench: a load generator for lmpd and for the servers it is compared with (a line-echo
// server, Redis, PostgreSQL). Usage in options.cpp; the report format in report.hpp.
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>

#include "options.hpp"
#include "report.hpp"
#include "runner.hpp"

int main(int argc, char** argv) {
  using namespace lmp::bench;
  ParsedArgs parsed = parse_args(std::vector<std::string>(argv + 1, argv + argc));
  if (parsed.help) {
    std::cout << usage();
    return 0;
  }
  if (!parsed.options) {
    std::cerr << "lmp-bench: " << parsed.error << "\n";
    return 2;
  }
  const Options& options = *parsed.options;

  // Opened before the run so that a bad path does not cost a whole run.
  std::ofstream json;
  if (!options.json_path.empty()) {
    json.open(options.json_path, std::ios::trunc);
    if (!json) {
      std::cerr << "lmp-bench: cannot write --json " << options.json_path << ": "
                << std::strerror(errno) << "\n";
      return 1;
    }
  }

  Report report;
  try {
    int status = run_bench(options, report, std::cerr);
    if (status != 0) return status;
  } catch (const std::exception& e) {
    std::cerr << "lmp-bench: " << e.what() << "\n";
    return 1;
  }
  std::cout << format_summary(report) << std::flush;
  if (json.is_open()) {
    json << boost::json::serialize(to_json(report)) << "\n";
    json.close();
    if (!json) {
      std::cerr << "lmp-bench: cannot write --json " << options.json_path << "\n";
      return 1;
    }
  }
  return 0;
}
