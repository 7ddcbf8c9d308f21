// Limits how many `invalid_code` answers one peer address may collect per time window, so that
// activation codes cannot be guessed at network speed. One instance serves every listener (seat
// protocol and HTTP), so a guesser has one budget per address. Used from the network thread only.
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

  // `peer` is the address as Asio prints it; an IPv4-mapped IPv6 address counts as the IPv4
  // address (peer_key), so that listeners bound to different families share the budget.
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
