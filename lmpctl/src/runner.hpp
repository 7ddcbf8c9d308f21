// One lmpctl run: parse, resolve the settings, make the call (every page with --all), print the
// answer and return the exit status.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "settings.hpp"

namespace lmpctl {

// The documented exit statuses (docs/lmpctl.md).
enum ExitStatus : int {
  kExitOk = 0,
  kExitApiError = 1,   // the API answered 4xx
  kExitUsage = 2,      // bad command line or configuration
  kExitNoService = 3,  // cannot connect, timeout, 5xx, or an answer that is not the API's
};

int run(const std::vector<std::string>& args, const Environment& env, std::ostream& out,
        std::ostream& err);

}  // namespace lmpctl
