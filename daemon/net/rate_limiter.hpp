// Limits how many `invalid_code` answers one peer address may collect per time window, so that
// activation codes cannot be guessed at network speed. Used from the network thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace lmp::net {

class InvalidCodeLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  InvalidCodeLimiter(int burst, std::chrono::seconds window) : burst_(burst), window_(window) {}

  // Seconds the peer must wait before its next code is looked up; 0 when it may go on.
  std::int64_t retry_after(const std::string& peer, Clock::time_point now);
  // Counts one `invalid_code` answer against the peer.
  void record_invalid(const std::string& peer, Clock::time_point now);
  std::size_t tracked_peers() const { return peers_.size(); }

 private:
  struct Window {
    Clock::time_point start;
    int count = 0;
  };
  void prune(Clock::time_point now);

  int burst_;
  std::chrono::seconds window_;
  std::unordered_map<std::string, Window> peers_;
};

}  // namespace lmp::net
