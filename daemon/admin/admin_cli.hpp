// `lmpd admin`: the command line a site admin uses to create customers and licenses directly in
// the database, before (and besides) the HTTP admin API.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace lmp {
class Clock;
}

namespace lmp::admin {

// `args` are the words after "admin" (including --config). Returns the process exit status:
// 0 success, 1 a failed operation, 2 a usage error.
int run_admin(const std::vector<std::string>& args, const std::string& default_config,
              const Clock& clock, std::ostream& out, std::ostream& err);

}  // namespace lmp::admin
