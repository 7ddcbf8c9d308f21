// Randomness for anything an attacker must not guess: lease ids, activation codes, tokens.
// Everything here comes from the kernel CSPRNG; there is deliberately no weaker fallback.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace lmp {

// Fills `out` with `size` bytes from getrandom(2). Thread-safe. If the kernel cannot supply
// randomness the process logs and aborts: issuing guessable ids would be worse than stopping.
void secure_random_bytes(void* out, std::size_t size);

// `bytes` random bytes as lowercase hex (2 * bytes characters).
std::string random_hex(std::size_t bytes);

// A uniform value in [0, bound), without modulo bias. REQUIRES: bound > 0 (0 throws
// std::invalid_argument, since there is no value to return).
std::uint64_t random_below(std::uint64_t bound);

}  // namespace lmp
