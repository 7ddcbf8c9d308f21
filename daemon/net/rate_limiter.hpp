// Limits how many `invalid_code` answers one peer address may collect per time window, so that
// activation codes cannot be guessed at network speed. One instance serves every listener (seat
// protocol and HTTP), so a guesser has one budget per address. Used from the network thread only.
//
// An answer is charged only when it comes, so a connection must not have more than one lookup of
// an unknown code in flight, or pipelining would get a whole pipeline of guesses past the budget
// before the first is charged (issue #25.1). Codes that recently matched a license are known, and
// lookups of them may be pipelined freely: an endpoint fleet uses a few codes all day.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "domain/seat_error.hpp"

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

  // A code as a client wrote it, reduced to what known_code() compares.
  static std::size_t code_key(std::string_view code) { return std::hash<std::string_view>{}(code); }
  // Whether a lookup of the code was lately answered with anything but invalid_code (or a
  // failure of the server's own): the code matches a license.
  bool known_code(std::size_t key) const { return known_.count(key) != 0; }
  // The answer to a lookup of the code `key` came: charged when it tells a guesser the code was
  // wrong, remembered as known when it shows the code matched a license.
  void answered(const std::string& peer, Clock::time_point now, std::size_t key,
                std::optional<domain::SeatError> error);

 private:
  struct Window {
    Clock::time_point start;
    int count = 0;
  };
  void prune(Clock::time_point now);
  void remember_code(std::size_t key);

  int burst_;
  std::chrono::seconds window_;
  std::unordered_map<std::string, Window> peers_;
  std::unordered_set<std::size_t> known_;
};

}  // namespace lmp::net
