// The power-loss Env's files: opened for real, flushed in the disk's model.
#include "support/power_loss_env.hpp"

#include <cerrno>

#include "support/power_loss_disk.hpp"

namespace lmp::test {

class PowerLossEnv::File final : public SyncableFile {
 public:
  // `model` null: the folder itself.
  File(std::unique_ptr<SyncableFile> real, std::shared_ptr<PowerLossDisk> disk,
       std::shared_ptr<PowerLossDisk::File> model)
      : real_(std::move(real)), disk_(std::move(disk)), model_(std::move(model)) {}
  FileIdentity identity() const override { return real_->identity(); }
  // fdatasync and fsync make the same data durable; for a folder, both flush its names.
  std::error_code sync_data() override { return sync(); }
  std::error_code sync() override {
    const bool flushed = model_ ? disk_->flush(*model_) : disk_->flush_folder();
    return flushed ? std::error_code() : std::error_code(EIO, std::generic_category());
  }

 private:
  std::unique_ptr<SyncableFile> real_;  // held open, as the real file would be
  std::shared_ptr<PowerLossDisk> disk_;
  std::shared_ptr<PowerLossDisk::File> model_;
};

std::error_code PowerLossEnv::open_for_sync(const std::string& path,
                                            std::unique_ptr<SyncableFile>& file) {
  std::unique_ptr<SyncableFile> real;
  if (const std::error_code error = base_.open_for_sync(path, real)) return error;
  std::shared_ptr<PowerLossDisk::File> model;
  if (disk_->holds(path)) {
    model = disk_->open(path, false);
    // A file the model does not know (none SQLite or lmpd writes) flushes for real.
    if (!model) {
      file = std::move(real);
      return {};
    }
  } else if (!disk_->is_root(path)) {
    file = std::move(real);
    return {};
  }
  file = std::make_unique<File>(std::move(real), disk_, std::move(model));
  return {};
}

}  // namespace lmp::test
