// An Env that passes every call to another one (Env::posix() by default) until a test tells it to
// fail: flushes (of files and folders) from now on, with the error the test names. It counts
// the flushes it was asked for.
#pragma once

#include <atomic>
#include <cerrno>
#include <memory>
#include <string>
#include <system_error>

#include "core/env.hpp"

namespace lmp::test {

// Thread safety: every method from any thread.
class FaultInjectingEnv final : public Env {
 public:
  explicit FaultInjectingEnv(Env& base = Env::posix()) : base_(base) {}

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
  std::error_code read_file(const std::string& path, std::string& contents) override {
    return base_.read_file(path, contents);
  }
  std::error_code create_file(const std::string& path, std::string_view contents) override {
    return base_.create_file(path, contents);
  }
  std::error_code identify(const std::string& path, FileIdentity& identity) override {
    return base_.identify(path, identity);
  }
  std::error_code lock_file(const std::string& path, std::unique_ptr<FileLock>& lock) override {
    return base_.lock_file(path, lock);
  }
  std::error_code random_bytes(void* out, std::size_t size) override {
    return base_.random_bytes(out, size);
  }
  std::error_code descriptor_limit(DescriptorLimit& limit) override {
    return base_.descriptor_limit(limit);
  }
  std::error_code set_descriptor_soft_limit(std::uint64_t soft) override {
    return base_.set_descriptor_soft_limit(soft);
  }

 private:
  class File;
  // The injected error of a flush now, or none (the flush goes on to the base Env).
  std::error_code flush_fault(bool full);

  Env& base_;
  std::atomic<int> sync_error_{0};
  std::atomic<int> syncs_{0};
  std::atomic<int> full_syncs_{0};
};

}  // namespace lmp::test
