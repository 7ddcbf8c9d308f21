// An Env that passes every call to another one (Env::posix() by default): test Envs derive from it
// and override only what they change (fault_injecting_env.hpp, power_loss_env.hpp).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "core/env.hpp"

namespace lmp::test {

// Thread safety: as the base Env's.
class ForwardingEnv : public Env {
 public:
  explicit ForwardingEnv(Env& base = Env::posix()) : base_(base) {}

  std::error_code open_for_sync(const std::string& path,
                                std::unique_ptr<SyncableFile>& file) override {
    return base_.open_for_sync(path, file);
  }
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

 protected:
  Env& base_;
};

}  // namespace lmp::test
