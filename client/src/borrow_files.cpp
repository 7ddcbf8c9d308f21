// File handling for borrowed leases with POSIX calls: the token and its neighbours must survive
// a crash whole and stay private to their owner.
#include "borrow_files.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "client_error.hpp"

namespace lmp::client {
namespace {

[[noreturn]] void file_error(const std::string& what, const std::string& path) {
  throw ClientError(LMP_ERR_INVALID_ARGUMENT, what + " " + path + ": " + std::strerror(errno));
}

std::string folder_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// A name no other writer uses at the same moment: pid and random bits.
std::string temporary_name(const std::string& path) {
  unsigned long long bits = 0;
  if (::getrandom(&bits, sizeof bits, 0) != sizeof bits) bits = 0;
  return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(bits);
}

}  // namespace

std::string keys_cache_path(const std::string& token_path) {
  return token_path + ".keys";
}

std::string clock_guard_path(const std::string& token_path) {
  return token_path + ".clock";
}

std::optional<std::string> read_file_bounded(const std::string& path, std::size_t limit) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    file_error("cannot open", path);
  }
  std::string content;
  char chunk[4096];
  while (content.size() <= limit) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      ::close(fd);
      errno = saved;
      file_error("cannot read", path);
    }
    if (n == 0) break;
    content.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (content.size() > limit + 1) content.resize(limit + 1);
  return content;
}

void write_file_atomically(const std::string& path, std::string_view content) {
  std::string temporary = temporary_name(path);
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) file_error("cannot create", temporary);
  auto fail = [&](const char* what) {
    int saved = errno;
    ::close(fd);
    ::unlink(temporary.c_str());
    errno = saved;
    file_error(what, temporary);
  };
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("cannot write");
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fsync(fd) != 0) fail("cannot sync");
  if (::close(fd) != 0) {
    ::unlink(temporary.c_str());
    file_error("cannot write", temporary);
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    int saved = errno;
    ::unlink(temporary.c_str());
    errno = saved;
    file_error("cannot replace", path);
  }
  // The rename itself is durable once the folder is synced.
  int dir = ::open(folder_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

bool remove_file(const std::string& path) {
  if (::unlink(path.c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  file_error("cannot remove", path);
}

}  // namespace lmp::client
