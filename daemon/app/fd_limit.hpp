// The open-file limit lmpd needs: every accepted connection holds a descriptor, so a soft
// RLIMIT_NOFILE below the listeners' connection limits makes accepts fail (EMFILE) long before
// those limits refuse anyone with a clear answer.
#pragma once

#include <cstdint>

#include "core/env.hpp"

namespace lmp::app {

// Descriptors lmpd holds besides its connections: the database and its WAL and shared-memory
// files, PostgreSQL sessions, plugins, the event loop's own (epoll, timers, signals), the log.
inline constexpr std::uint64_t kReservedDescriptors = 128;

struct FdLimit {
  std::uint64_t before = 0;  // the soft limit lmpd started with
  std::uint64_t soft = 0;    // the soft limit now
  std::uint64_t hard = 0;
};

// Raises `env`'s soft limit to `needed`, or as far as the hard limit allows; never lowers it.
// RLIM_INFINITY reads as UINT64_MAX. A limit that cannot be read reads as all zeros.
FdLimit raise_fd_limit(std::uint64_t needed, Env& env);

}  // namespace lmp::app
