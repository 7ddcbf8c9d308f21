// Turning the merged counters into the report, its JSON and its summary text.
#include "report.hpp"

#include <time.h>

#include <boost/json/array.hpp>
#include <cmath>
#include <cstdio>

namespace lmp::bench {
namespace {

// Microseconds with one decimal: finer than that is below the clock's worth on a busy box.
double to_us(std::uint64_t ns) {
  return std::round(static_cast<double>(ns) / 100.0) / 10.0;
}

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

}  // namespace

Report report_for(const Options& options) {
  Report r;
  r.target = std::string(target_name(options.target));
  r.host = options.host;
  r.port = options.port;
  for (std::uint16_t port : target_ports(options)) r.ports.push_back(port);
  r.connections = options.connections;
  r.pipeline = options.pipeline;
  r.threads = options.threads;
  r.duration_s = options.duration_s;
  r.warmup_s = options.warmup_s;
  r.mix = mix_text(options.mix);
  return r;
}

void fill_results(Report& report, const Stats& stats) {
  report.ops = stats.ops;
  report.ok_ops = stats.ok_ops;
  report.ops_per_sec =
      report.duration_s > 0 ? static_cast<double>(stats.ops) / report.duration_s : 0.0;
  report.p50_us = to_us(stats.latency.percentile(50));
  report.p99_us = to_us(stats.latency.percentile(99));
  report.p999_us = to_us(stats.latency.percentile(99.9));
  report.max_us = to_us(stats.latency.max());
  report.errors = stats.errors.by_code();
  report.transport_errors = stats.transport_errors;
  report.cleanup_checkins = stats.cleanup_checkins;
}

std::string format_utc(std::int64_t unix_ms) {
  time_t seconds = static_cast<time_t>(unix_ms / 1000);
  struct tm tm {};
  gmtime_r(&seconds, &tm);
  char buf[96];  // room for any int fields, which keeps -Wformat-truncation quiet
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(unix_ms % 1000));
  return buf;
}

boost::json::object to_json(const Report& r) {
  boost::json::object latency{
      {"p50", r.p50_us}, {"p99", r.p99_us}, {"p999", r.p999_us}, {"max", r.max_us}};
  boost::json::object errors;
  for (const auto& [code, count] : r.errors) errors[code] = count;
  return boost::json::object{
      {"target", r.target},
      {"host", r.host},
      {"port", r.port},
      {"ports", boost::json::array(r.ports.begin(), r.ports.end())},
      {"connections", r.connections},
      {"pipeline", r.pipeline},
      {"threads", r.threads},
      {"duration_s", r.duration_s},
      {"warmup_s", r.warmup_s},
      {"mix", r.mix},
      {"started_at", r.started_at},
      {"started_at_unix_ms", r.started_at_unix_ms},
      {"ops", r.ops},
      {"ok_ops", r.ok_ops},
      {"ops_per_sec", std::round(r.ops_per_sec * 10.0) / 10.0},
      {"latency_us", std::move(latency)},
      {"errors", std::move(errors)},
      {"transport_errors", r.transport_errors},
      {"cleanup_checkins", r.cleanup_checkins},
  };
}

std::string format_summary(const Report& r) {
  std::string out;
  std::string ports;
  for (int port : r.ports) ports += (ports.empty() ? "" : ",") + std::to_string(port);
  if (ports.empty()) ports = std::to_string(r.port);
  out += "lmp-bench " + r.target + " " + r.host + ":" + ports + "  " +
         std::to_string(r.connections) + " connections x " + std::to_string(r.pipeline) +
         " in flight, " + std::to_string(r.threads) + (r.threads == 1 ? " thread" : " threads") +
         ", mix " + r.mix + "\n";
  out += "  started   " + r.started_at + ", measured " + fixed(r.duration_s, 1) + " s after " +
         fixed(r.warmup_s, 1) + " s warmup\n";
  out += "  ops       " + std::to_string(r.ops) + " (" + fixed(r.ops_per_sec, 1) + "/s), " +
         std::to_string(r.ok_ops) + " ok\n";
  out += "  latency   p50 " + fixed(r.p50_us, 1) + " us  p99 " + fixed(r.p99_us, 1) + " us  p999 " +
         fixed(r.p999_us, 1) + " us  max " + fixed(r.max_us, 1) + " us\n";
  out += "  errors   ";
  if (r.errors.empty()) out += " none";
  for (const auto& [code, count] : r.errors) out += " " + code + "=" + std::to_string(count);
  out += "\n";
  out += "  transport errors " + std::to_string(r.transport_errors);
  if (r.cleanup_checkins) {
    out += ", leases checked in at the end " + std::to_string(r.cleanup_checkins);
  }
  out += "\n";
  return out;
}

}  // namespace lmp::bench
