// Random bytes from an Env's kernel CSPRNG, served in small pieces from a per-thread buffer.
#include "core/secure_random.hpp"

#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "core/env.hpp"
#include "core/hex.hpp"
#include "core/log.hpp"

namespace lmp {

namespace {

void fill_from_kernel(Env& env, void* out, std::size_t size) {
  if (const std::error_code error = env.random_bytes(out, size)) {
    log::error("secure_random_failed", {{"error", error.message()}});
    std::abort();
  }
}

}  // namespace

void secure_random_bytes(void* out, std::size_t size, Env& env) {
  // A system call per lease id would cost more than the rest of a checkout's CPU work, so small
  // requests are served from a per-thread buffer of kernel output; each byte is used once, and
  // only for requests to the Env that supplied it.
  constexpr std::size_t kBuffer = 4096;
  if (size > 64) {
    fill_from_kernel(env, out, size);
    return;
  }
  thread_local unsigned char buffer[kBuffer];
  thread_local std::size_t used = kBuffer;
  thread_local Env* source = nullptr;
  if (source != &env || kBuffer - used < size) {
    fill_from_kernel(env, buffer, kBuffer);
    source = &env;
    used = 0;
  }
  std::memcpy(out, buffer + used, size);
  // Served bytes are wiped so a later memory disclosure cannot reveal ids already handed out.
  std::memset(buffer + used, 0, size);
  used += size;
}

void secure_random_bytes(void* out, std::size_t size) {
  secure_random_bytes(out, size, Env::posix());
}

std::string random_hex(std::size_t bytes, Env& env) {
  std::string raw(bytes, '\0');
  secure_random_bytes(raw.data(), raw.size(), env);
  return to_hex(raw);
}

std::string random_hex(std::size_t bytes) {
  return random_hex(bytes, Env::posix());
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
