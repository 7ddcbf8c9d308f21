// Reading /proc for the process_* metrics, with the names and meanings of the Prometheus client
// libraries' process collectors, so existing dashboards work unchanged.
#include "metrics/process_metrics.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace lmp::metrics {

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

double boot_time() {
  std::istringstream in(read_file("/proc/stat"));
  std::string key;
  double value = 0;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    if (fields >> key >> value && key == "btime") return value;
  }
  return -1;
}

double count_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  double count = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count - 1;  // the descriptor opendir itself holds
}

void add(std::vector<prometheus::MetricFamily>& out, std::string name, std::string help,
         prometheus::MetricType type, double value) {
  if (value < 0) return;
  prometheus::ClientMetric sample;
  if (type == prometheus::MetricType::Counter)
    sample.counter.value = value;
  else
    sample.gauge.value = value;
  out.push_back({std::move(name), std::move(help), type, {std::move(sample)}});
}

}  // namespace

bool parse_proc_stat(std::string_view text, double ticks, double page, double boot_time,
                     ProcessReading& reading) {
  // The command name (field 2) is in parentheses and may hold spaces and parentheses itself:
  // the fields after it start after its last ')'.
  const auto close = text.rfind(')');
  if (close == std::string_view::npos || ticks <= 0) return false;
  std::vector<double> fields;  // fields 3 onwards; numbers where they are numbers
  std::string_view rest = text.substr(close + 1);
  while (!rest.empty()) {
    const auto start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const auto end = std::min(rest.find_first_of(" \n"), rest.size());
    double value = 0;
    const std::string_view word = rest.substr(0, end);
    const auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
    fields.push_back(ec == std::errc() && ptr == word.data() + word.size() ? value : -1);
    rest.remove_prefix(end);
  }
  // proc(5) numbers the fields from 1; fields[i] is field i + 3.
  const auto field = [&](std::size_t number) { return fields[number - 3]; };
  if (fields.size() < 24 - 2) return false;
  reading.cpu_seconds = (field(14) + field(15)) / ticks;
  reading.threads = field(20);
  if (boot_time >= 0) reading.start_time_seconds = boot_time + field(22) / ticks;
  reading.virtual_bytes = field(23);
  reading.resident_bytes = field(24) * page;
  return true;
}

ProcessReading read_process() {
  ProcessReading reading;
  parse_proc_stat(read_file("/proc/self/stat"), static_cast<double>(::sysconf(_SC_CLK_TCK)),
                  static_cast<double>(::sysconf(_SC_PAGESIZE)), boot_time(), reading);
  reading.open_fds = count_fds();
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    reading.max_fds = static_cast<double>(limit.rlim_cur);
  return reading;
}

std::vector<prometheus::MetricFamily> ProcessMetrics::Collect() const {
  using prometheus::MetricType;
  const ProcessReading r = read_process();
  std::vector<prometheus::MetricFamily> out;
  add(out, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
      MetricType::Counter, r.cpu_seconds);
  add(out, "process_open_fds", "Number of open file descriptors.", MetricType::Gauge, r.open_fds);
  add(out, "process_max_fds", "Maximum number of open file descriptors.", MetricType::Gauge,
      r.max_fds);
  add(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::Gauge,
      r.virtual_bytes);
  add(out, "process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::Gauge,
      r.resident_bytes);
  add(out, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
      MetricType::Gauge, r.start_time_seconds);
  add(out, "process_threads", "Number of OS threads in the process.", MetricType::Gauge, r.threads);
  return out;
}

}  // namespace lmp::metrics
