// The operating system as lmpd touches it: files and folders opened to flush them, their flush,
// small files read and created whole, file locks, random bytes and the open-file limit, behind
// one interface in the
// manner of LevelDB's Env. Production uses Env::posix(); tests wrap it to inject faults
// (tests/support/fault_injecting_env.hpp). Every call answers an error instead of aborting, so
// the caller decides what a failure means.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

namespace lmp {

// Which file a path names: a file replaced under the same name has another identity.
struct FileIdentity {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  bool operator==(const FileIdentity&) const = default;
};

// A file or folder opened (read-only) so that what anyone wrote to it can be made durable.
// Thread safety: one thread at a time.
class SyncableFile {
 public:
  virtual ~SyncableFile() = default;
  virtual FileIdentity identity() const = 0;
  // fdatasync(2): the file's data, and the metadata needed to read it back, reach the disk. An
  // error leaves the data in an unknown state: the kernel may have dropped the pages it failed to
  // write, and a later call may succeed without having written them.
  virtual std::error_code sync_data() = 0;
  // fsync(2): data and all metadata; for a folder, its entries (the names of the files in it).
  virtual std::error_code sync() = 0;
};

// An exclusive lock on a file, held until the object is destroyed.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

struct DescriptorLimit {
  std::uint64_t soft = 0;  // RLIM_INFINITY reads as UINT64_MAX
  std::uint64_t hard = 0;
};

// Thread safety: every method may be called from any thread.
class Env {
 public:
  virtual ~Env() = default;

  // The process's own: the POSIX calls themselves. Never destroyed.
  static Env& posix();

  // Opens the existing file or folder at `path` to flush it. Fails with ENOENT when there is
  // none, and with EMFILE/ENFILE when the process or the system is out of descriptors.
  virtual std::error_code open_for_sync(const std::string& path,
                                        std::unique_ptr<SyncableFile>& file) = 0;
  // Reads the whole of the (small) file at `path` into `contents`.
  virtual std::error_code read_file(const std::string& path, std::string& contents) = 0;
  // Creates the file `path`, readable and writable by its owner only (0600, whatever the umask),
  // with `contents`, and makes the file and its name durable (fsync of the file, then of its
  // folder). Atomic: whoever opens `path` finds all of `contents` or no file.
  // std::errc::file_exists when there is one already, which is left as it was.
  virtual std::error_code create_file(const std::string& path, std::string_view contents) = 0;
  // The identity of the file `path` names now (stat(2)).
  virtual std::error_code identify(const std::string& path, FileIdentity& identity) = 0;
  // Opens `path` (created with mode 0600 if missing) and takes an exclusive flock(2) on it without
  // waiting; std::errc::operation_would_block when another process holds it.
  virtual std::error_code lock_file(const std::string& path, std::unique_ptr<FileLock>& lock) = 0;
  // Fills `out` from the kernel's CSPRNG (getrandom(2)), waiting at boot until it is seeded.
  virtual std::error_code random_bytes(void* out, std::size_t size) = 0;
  // The open-file limit (RLIMIT_NOFILE), and setting its soft value.
  virtual std::error_code descriptor_limit(DescriptorLimit& limit) = 0;
  virtual std::error_code set_descriptor_soft_limit(std::uint64_t soft) = 0;
};

}  // namespace lmp
