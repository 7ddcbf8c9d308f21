// The result of one run: the human summary on stdout and the JSON object that --json writes
// (the benchmark scripts read its field names).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "options.hpp"
#include "workload.hpp"

namespace lmp::bench {

struct Report {
  std::string target;
  std::string host;
  int port = 0;            // the first of `ports`
  std::vector<int> ports;  // every port connections went to, round-robin
  int connections = 0;
  int pipeline = 0;
  int threads = 0;
  double duration_s = 0;  // the measured window
  double warmup_s = 0;
  std::string mix;
  std::string started_at;  // UTC, ISO 8601, when the first request went out
  std::int64_t started_at_unix_ms = 0;
  std::uint64_t ops = 0;  // answered in the window, errors included
  std::uint64_t ok_ops = 0;
  double ops_per_sec = 0;
  double p50_us = 0;
  double p99_us = 0;
  double p999_us = 0;
  double max_us = 0;
  std::map<std::string, std::uint64_t> errors;
  std::uint64_t transport_errors = 0;
  std::uint64_t cleanup_checkins = 0;
};

// The settings part of a report, before anything ran.
Report report_for(const Options& options);
// Adds the measured part.
void fill_results(Report& report, const Stats& stats);

boost::json::object to_json(const Report& report);
std::string format_summary(const Report& report);
// ISO 8601 UTC with milliseconds, e.g. 2026-01-01T00:00:00.000Z.
std::string format_utc(std::int64_t unix_ms);

}  // namespace lmp::bench
