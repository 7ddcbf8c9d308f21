// Runs one benchmark against a live target and fills its report: the part of lmp-bench that
// needs sockets, kept apart from main() so tests can run it in-process.
#pragma once

#include <ostream>

#include "options.hpp"
#include "report.hpp"

namespace lmp::bench {

// Returns the process exit status: 0 when the run completed (error answers are part of the
// report), 1 when it could not connect or set the target up. Problems go to `diagnostics` as
// lines starting "lmp-bench: ".
int run_bench(const Options& options, Report& report, std::ostream& diagnostics);

}  // namespace lmp::bench
