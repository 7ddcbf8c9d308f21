// Raising the soft open-file limit at startup (the hard limit is the administrator's to set,
// e.g. LimitNOFILE= in the systemd unit).
#include "app/fd_limit.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace lmp::app {

FdLimit raise_fd_limit(std::uint64_t needed) {
  FdLimit out;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return out;
  out.before = out.soft = limit.rlim_cur;
  out.hard = limit.rlim_max;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
    const rlim_t wanted =
        limit.rlim_max == RLIM_INFINITY ? needed : std::min<rlim_t>(limit.rlim_max, needed);
    rlimit raised = limit;
    raised.rlim_cur = wanted;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) out.soft = wanted;
  }
  return out;
}

}  // namespace lmp::app
