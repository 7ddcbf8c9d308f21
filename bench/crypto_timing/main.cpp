// lmp-crypto-timing: the time per call of the secrets' primitives the seat path and a restart
// use (opening and sealing a lease id with AES-256-GCM), over a million calls under one key, as
// each lmpd thread makes them. Prints microseconds per call, three rounds.
#include <chrono>
#include <cstdio>
#include <string>

#include "core/aes256_gcm.hpp"

int main() {
  const std::string key(32, 'k'), nonce(12, 'n'), associated(16, 'a'), id(32, 'i');
  const std::string sealed = lmp::aes256_gcm_seal(key, nonce, associated, id);
  constexpr int kCalls = 1'000'000;
  std::size_t bytes = 0;  // used, so the calls cannot be left out
  for (int round = 1; round <= 3; ++round) {
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < kCalls; ++i)
      bytes += lmp::aes256_gcm_open(key, nonce, associated, sealed)->size();
    const auto opened = std::chrono::steady_clock::now();
    for (int i = 0; i < kCalls; ++i)
      bytes += lmp::aes256_gcm_seal(key, nonce, associated, id).size();
    const auto sealed_all = std::chrono::steady_clock::now();
    const auto us = [](auto from, auto to) {
      return std::chrono::duration<double, std::micro>(to - from).count() / kCalls;
    };
    std::printf("round %d: aes256_gcm_open %.3f us, aes256_gcm_seal %.3f us\n", round,
                us(started, opened), us(opened, sealed_all));
  }
  return bytes == 0 ? 1 : 0;
}
