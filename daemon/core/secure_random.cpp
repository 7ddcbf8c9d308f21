// The kernel CSPRNG through getrandom(2).
#include "core/secure_random.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "core/log.hpp"

namespace lmp {

namespace {

void fill_from_kernel(void* out, std::size_t size) {
  auto* cursor = static_cast<unsigned char*>(out);
  while (size > 0) {
    // Flags 0 blocks until the pool is initialised at boot, which is what we want: a daemon
    // started early must not hand out ids drawn from an unseeded pool.
    const ssize_t got = ::getrandom(cursor, size, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      log::error("secure_random_failed", {{"error", std::strerror(err)}});
      std::abort();
    }
    // Large requests may be satisfied in pieces.
    cursor += got;
    size -= static_cast<std::size_t>(got);
  }
}

}  // namespace

void secure_random_bytes(void* out, std::size_t size) {
  // A system call per lease id would cost more than the rest of a checkout's CPU work, so small
  // requests are served from a per-thread buffer of kernel output; each byte is used once.
  constexpr std::size_t kBuffer = 4096;
  if (size > 64) {
    fill_from_kernel(out, size);
    return;
  }
  thread_local unsigned char buffer[kBuffer];
  thread_local std::size_t used = kBuffer;
  if (kBuffer - used < size) {
    fill_from_kernel(buffer, kBuffer);
    used = 0;
  }
  std::memcpy(out, buffer + used, size);
  // Served bytes are wiped so a later memory disclosure cannot reveal ids already handed out.
  std::memset(buffer + used, 0, size);
  used += size;
}

std::string random_hex(std::size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string raw(bytes, '\0');
  secure_random_bytes(raw.data(), raw.size());
  std::string hex;
  hex.reserve(2 * bytes);
  for (unsigned char b : raw) {
    hex.push_back(kHex[b >> 4]);
    hex.push_back(kHex[b & 0x0F]);
  }
  return hex;
}

std::uint64_t random_below(std::uint64_t bound) {
  if (bound == 0) throw std::invalid_argument("random_below: bound must be positive");
  // 2^64 mod bound: draws below it are rejected so the rest is a whole number of copies of
  // [0, bound), which makes the final reduction unbiased.
  const std::uint64_t threshold = (0 - bound) % bound;
  for (;;) {
    std::uint64_t value = 0;
    secure_random_bytes(&value, sizeof value);
    if (value >= threshold) return value % bound;
  }
}

}  // namespace lmp
