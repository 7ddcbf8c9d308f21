// The process_* metrics every Prometheus exporter has (CPU seconds, memory, file descriptors,
// threads, start time), read from /proc at each scrape so they cost nothing between scrapes.
#pragma once

#include <prometheus/collectable.h>

#include <string_view>
#include <vector>

namespace lmp::metrics {

// What one reading of /proc/<pid> gives; a field that could not be read is -1.
struct ProcessReading {
  double cpu_seconds = -1;         // user + system
  double start_time_seconds = -1;  // since the Unix epoch
  double resident_bytes = -1;
  double virtual_bytes = -1;
  double open_fds = -1;
  double max_fds = -1;  // the soft RLIMIT_NOFILE
  double threads = -1;
};

// Reads this process's /proc/self.
ProcessReading read_process();

// Parses the text of /proc/<pid>/stat into `reading` (CPU, start time after boot, memory,
// threads); false when it is not in that form. `ticks` is sysconf(_SC_CLK_TCK), `page` the page
// size and `boot_time` btime from /proc/stat.
bool parse_proc_stat(std::string_view text, double ticks, double page, double boot_time,
                     ProcessReading& reading);

// Registered once (Registry::add_family); at each scrape, one family for each value a reading
// has (a value that could not be read leaves its family out).
class ProcessMetrics final : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace lmp::metrics
