// An Env that passes every call to another one (Env::posix() by default) until a test tells it to
// fail: flushes (of files and folders) from now on, with the error the test names. It counts
// the flushes it was asked for.
#pragma once

#include <atomic>
#include <cerrno>
#include <memory>
#include <string>
#include <system_error>

#include "support/forwarding_env.hpp"

namespace lmp::test {

// Thread safety: every method from any thread.
class FaultInjectingEnv final : public ForwardingEnv {
 public:
  explicit FaultInjectingEnv(Env& base = Env::posix()) : ForwardingEnv(base) {}

  // Every flush from now on fails with `error` (EIO: what a failing disk reports), and none
  // reaches the base Env, until heal().
  void fail_syncs(int error = EIO) { sync_error_ = error; }
  void heal() { sync_error_ = 0; }
  // Flushes asked for so far, failed ones included; of those, the full ones (fsync), which lmpd
  // asks for folders only.
  int syncs() const { return syncs_; }
  int full_syncs() const { return full_syncs_; }

  std::error_code open_for_sync(const std::string& path,
                                std::unique_ptr<SyncableFile>& file) override;

 private:
  class File;
  // The injected error of a flush now, or none (the flush goes on to the base Env).
  std::error_code flush_fault(bool full);

  std::atomic<int> sync_error_{0};
  std::atomic<int> syncs_{0};
  std::atomic<int> full_syncs_{0};
};

}  // namespace lmp::test
