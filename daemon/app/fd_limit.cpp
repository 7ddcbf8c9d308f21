// Raising the soft open-file limit at startup (the hard limit is the administrator's to set,
// e.g. LimitNOFILE= in the systemd unit).
#include "app/fd_limit.hpp"

#include <algorithm>
#include <limits>

namespace lmp::app {

FdLimit raise_fd_limit(std::uint64_t needed, Env& env) {
  FdLimit out;
  DescriptorLimit limit;
  if (env.descriptor_limit(limit)) return out;
  out.before = out.soft = limit.soft;
  out.hard = limit.hard;
  constexpr std::uint64_t kInfinity = std::numeric_limits<std::uint64_t>::max();
  if (limit.soft != kInfinity && limit.soft < needed) {
    const std::uint64_t wanted = limit.hard == kInfinity ? needed : std::min(limit.hard, needed);
    if (!env.set_descriptor_soft_limit(wanted)) out.soft = wanted;
  }
  return out;
}

}  // namespace lmp::app
