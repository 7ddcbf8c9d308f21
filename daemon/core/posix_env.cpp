// Env::posix(): the system calls behind the Env interface.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <limits>

#include "core/env.hpp"

namespace lmp {
namespace {

std::error_code last_error() {
  return {errno, std::generic_category()};
}

FileIdentity identity_of(const struct stat& st) {
  return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
}

std::uint64_t from_rlim(rlim_t value) {
  return value == RLIM_INFINITY ? std::numeric_limits<std::uint64_t>::max()
                                : static_cast<std::uint64_t>(value);
}

// Owns a descriptor; closing it releases any flock held through it.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

class PosixSyncableFile final : public SyncableFile {
 public:
  PosixSyncableFile(int fd, FileIdentity identity) : fd_(fd), identity_(identity) {}
  FileIdentity identity() const override { return identity_; }
  std::error_code sync_data() override {
    if (::fdatasync(fd_.get()) != 0) return last_error();
    return {};
  }
  std::error_code sync() override {
    if (::fsync(fd_.get()) != 0) return last_error();
    return {};
  }

 private:
  Descriptor fd_;
  FileIdentity identity_;
};

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}

 private:
  Descriptor fd_;
};

// Mode 0600 whatever the umask (which can only take bits away), `contents`, then fsync.
std::error_code write_durably(int fd, std::string_view contents) {
  if (::fchmod(fd, 0600) != 0) return last_error();
  for (std::size_t written = 0; written < contents.size();) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return last_error();
  return {};
}

class PosixEnv final : public Env {
 public:
  std::error_code open_for_sync(const std::string& path,
                                std::unique_ptr<SyncableFile>& file) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return last_error();
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      const std::error_code error = last_error();
      ::close(fd);
      return error;
    }
    file = std::make_unique<PosixSyncableFile>(fd, identity_of(st));
    return {};
  }

  std::error_code read_file(const std::string& path, std::string& contents) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return last_error();
    Descriptor file(fd);
    contents.clear();
    char buffer[4096];
    for (;;) {
      const ssize_t got = ::read(fd, buffer, sizeof buffer);
      if (got < 0) {
        if (errno == EINTR) continue;
        return last_error();
      }
      if (got == 0) return {};
      contents.append(buffer, static_cast<std::size_t>(got));
    }
  }

  std::error_code create_file(const std::string& path, std::string_view contents) override {
    // Written whole under a name of its own and then linked to `path`, which fails if `path`
    // exists: nobody ever reads the file half-written (two processes opening one new database
    // both make a server secret; the second one reads the first one's).
    static std::atomic<std::uint64_t> serial{0};
    const std::string draft =
        path + ".new-" + std::to_string(::getpid()) + "-" + std::to_string(++serial);
    const int fd = ::open(draft.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return last_error();
    Descriptor file(fd);
    std::error_code error = write_durably(fd, contents);
    if (!error && ::link(draft.c_str(), path.c_str()) != 0) error = last_error();
    ::unlink(draft.c_str());
    if (error) return error;
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    const int dir =
        ::open(parent.empty() ? "." : parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return last_error();
    Descriptor folder_file(dir);
    if (::fsync(dir) != 0) return last_error();
    return {};
  }

  std::error_code identify(const std::string& path, FileIdentity& identity) override {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return last_error();
    identity = identity_of(st);
    return {};
  }

  std::error_code lock_file(const std::string& path, std::unique_ptr<FileLock>& lock) override {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return last_error();
    auto held = std::make_unique<PosixFileLock>(fd);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) return last_error();
    lock = std::move(held);
    return {};
  }

  std::error_code random_bytes(void* out, std::size_t size) override {
    auto* cursor = static_cast<unsigned char*>(out);
    while (size > 0) {
      // Flags 0 blocks until the pool is initialised at boot, which is what we want: a daemon
      // started early must not hand out ids drawn from an unseeded pool.
      const ssize_t got = ::getrandom(cursor, size, 0);
      if (got < 0) {
        if (errno == EINTR) continue;
        return last_error();
      }
      // Large requests may be satisfied in pieces.
      cursor += got;
      size -= static_cast<std::size_t>(got);
    }
    return {};
  }

  std::error_code descriptor_limit(DescriptorLimit& limit) override {
    rlimit current{};
    if (::getrlimit(RLIMIT_NOFILE, &current) != 0) return last_error();
    limit = {from_rlim(current.rlim_cur), from_rlim(current.rlim_max)};
    return {};
  }

  std::error_code set_descriptor_soft_limit(std::uint64_t soft) override {
    rlimit current{};
    if (::getrlimit(RLIMIT_NOFILE, &current) != 0) return last_error();
    current.rlim_cur = soft == std::numeric_limits<std::uint64_t>::max()
                           ? RLIM_INFINITY
                           : static_cast<rlim_t>(soft);
    if (::setrlimit(RLIMIT_NOFILE, &current) != 0) return last_error();
    return {};
  }
};

}  // namespace

Env& Env::posix() {
  static PosixEnv* env = new PosixEnv;  // never destroyed: threads may use it until exit
  return *env;
}

}  // namespace lmp
