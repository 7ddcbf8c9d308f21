// Randomness for anything an attacker must not guess: lease ids, activation codes, tokens.
// Everything here comes from the kernel CSPRNG through an Env; there is deliberately no weaker
// fallback.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace lmp {

class Env;

// Fills `out` with `size` bytes of `env`'s random bytes (getrandom(2) for Env::posix()).
// Thread-safe. If the kernel cannot supply randomness the process logs and aborts: issuing
// guessable ids would be worse than stopping.
void secure_random_bytes(void* out, std::size_t size, Env& env);
// The same from Env::posix(), for code far from the seat path.
void secure_random_bytes(void* out, std::size_t size);

// `bytes` random bytes as lowercase hex (2 * bytes characters).
std::string random_hex(std::size_t bytes, Env& env);
std::string random_hex(std::size_t bytes);

// A uniform value in [0, bound), without modulo bias, from Env::posix(). REQUIRES: bound > 0 (0
// throws std::invalid_argument, since there is no value to return).
std::uint64_t random_below(std::uint64_t bound);

}  // namespace lmp
