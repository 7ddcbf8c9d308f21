// The fault-injecting Env's files: the base Env's, with their flush checked first.
#include "support/fault_injecting_env.hpp"

namespace lmp::test {

class FaultInjectingEnv::File final : public SyncableFile {
 public:
  File(FaultInjectingEnv& env, std::unique_ptr<SyncableFile> base)
      : env_(env), base_(std::move(base)) {}
  FileIdentity identity() const override { return base_->identity(); }
  std::error_code sync_data() override {
    if (const std::error_code fault = env_.flush_fault(false)) return fault;
    return base_->sync_data();
  }
  std::error_code sync() override {
    if (const std::error_code fault = env_.flush_fault(true)) return fault;
    return base_->sync();
  }

 private:
  FaultInjectingEnv& env_;
  std::unique_ptr<SyncableFile> base_;
};

std::error_code FaultInjectingEnv::flush_fault(bool full) {
  ++syncs_;
  if (full) ++full_syncs_;
  const int error = sync_error_;
  return error == 0 ? std::error_code() : std::error_code(error, std::generic_category());
}

std::error_code FaultInjectingEnv::open_for_sync(const std::string& path,
                                                 std::unique_ptr<SyncableFile>& file) {
  std::unique_ptr<SyncableFile> base;
  if (const std::error_code error = base_.open_for_sync(path, base)) return error;
  file = std::make_unique<File>(*this, std::move(base));
  return {};
}

}  // namespace lmp::test
