// An Env over another (Env::posix() by default) that tells a PowerLossDisk when lmpd flushes a
// file of the disk's folder, or the folder itself: the flush of lmpd's own WAL sync (WalSync) goes
// to the disk's model, and fails once the disk has lost power.
#pragma once

#include <memory>
#include <string>
#include <system_error>
#include <utility>

#include "support/forwarding_env.hpp"

namespace lmp::test {

class PowerLossDisk;

// Thread safety: every method from any thread.
class PowerLossEnv final : public ForwardingEnv {
 public:
  explicit PowerLossEnv(std::shared_ptr<PowerLossDisk> disk, Env& base = Env::posix())
      : ForwardingEnv(base), disk_(std::move(disk)) {}

  // Opens with the base Env (so errors and identities are the real ones). A file of the disk's
  // folder, or the folder, flushes to the disk: the flush fails with EIO once power is lost, and
  // the real fdatasync/fsync is not called. Other paths are the base Env's.
  std::error_code open_for_sync(const std::string& path,
                                std::unique_ptr<SyncableFile>& file) override;

 private:
  class File;

  const std::shared_ptr<PowerLossDisk> disk_;
};

}  // namespace lmp::test
