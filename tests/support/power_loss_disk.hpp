// A disk that loses power, for crash tests: for the files of one folder it keeps what was written
// and what a flush made durable, and after the power loss writes the folder out as a reboot would
// find it (docs/reliability.md, "Power loss"). The SQLite VFS and the Env of tests/support report
// to it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace lmp::test {

// The model, per file (an inode): its bytes as of its last flush, and the writes and truncations
// since, in order. Per folder: the names as of its last flush, and the names now. After the power
// loss a file is found under a name only if the folder's flush made that name durable; its content
// is its flushed bytes plus a random choice of its later changes (see materialise()).
//
// The files the process reads and writes stay where they are, in the real folder: they are the
// page cache. The disk is this model; nothing calls the real fsync for the folder's files.
//
// Thread safety: every method from any thread.
class PowerLossDisk {
 public:
  class File;  // one file's durable bytes and its changes since

  struct Options {
    // Power is lost right after this many operations: writes, truncations, names created or
    // removed, and flushes, counted together from 1. 0: only when lose_power() is called.
    std::uint64_t crash_after = 0;
    // Picks what becomes of the unflushed changes in materialise().
    std::uint64_t seed = 0;
    // How long a flush takes. A flush covers only what was written before it started: a write
    // made while it runs stays unflushed, as the kernel does not promise to include it.
    std::chrono::microseconds flush_latency{0};
  };

  // The disk holds the existing folder `root`. The regular files in it now are on the disk as
  // they are, names and bytes durable.
  PowerLossDisk(const std::filesystem::path& root, Options options);
  PowerLossDisk(const PowerLossDisk&) = delete;
  PowerLossDisk& operator=(const PowerLossDisk&) = delete;
  ~PowerLossDisk();

  // The folder, made absolute and canonical.
  const std::filesystem::path& root() const { return root_; }
  // Whether `path` (absolute) is the folder itself, or names an entry of it.
  bool is_root(const std::filesystem::path& path) const;
  bool holds(const std::filesystem::path& path) const;

  // The file `path` names now; when there is none and `create`, a new empty file under that name
  // (its name durable only once the folder is flushed). Null when there is none. REQUIRES:
  // holds(path).
  std::shared_ptr<File> open(const std::filesystem::path& path, bool create);
  // Changes to `file`: dropped once power is lost.
  void write(File& file, std::uint64_t offset, const void* data, std::size_t size);
  void truncate(File& file, std::uint64_t size);
  // The name leaves the folder (durably once the folder is flushed). REQUIRES: holds(path).
  void remove(const std::filesystem::path& path);
  // fdatasync(2) or fsync(2) of a file: the changes made before the call become durable. False,
  // and nothing becomes durable, once power is lost.
  bool flush(File& file);
  // fsync(2) of the folder: its names as they are when the call starts become durable. False once
  // power is lost.
  bool flush_folder();

  // Power is lost now, if it was not already.
  void lose_power();
  bool power_lost() const;
  // Operations done so far (see Options::crash_after), those after the power loss left out.
  std::uint64_t operations() const;

  // Writes the folder as a reboot after the power loss finds it into the existing folder
  // `target`: for each durable name, its file's flushed bytes, then each of its unflushed changes
  // in a random order, each either whole, missing, or torn (a write with only some of its 512-byte
  // sectors on the disk; the other bytes of a sector it covers only partly are not touched, as
  // SQLite's powersafe-overwrite assumption says). Returns a line on what was chosen, for failure
  // messages. The same seed gives the same folder. REQUIRES: power_lost().
  std::string materialise(const std::filesystem::path& target) const;

 private:
  using Names = std::map<std::string, std::shared_ptr<File>>;
  // Counts an operation; the one numbered crash_after cuts the power. REQUIRES: mutex_ held.
  void count_operation();
  std::string name_of(const std::filesystem::path& path) const;

  const std::filesystem::path root_;
  const Options options_;
  mutable std::mutex mutex_;
  Names names_;                        // the folder now
  Names durable_names_;                // the folder as of its last flush
  std::uint64_t names_version_ = 0;    // counts the changes to names_
  std::uint64_t durable_version_ = 0;  // names_version_ that durable_names_ is a copy of
  bool power_lost_ = false;
  std::uint64_t operations_ = 0;
};

}  // namespace lmp::test
