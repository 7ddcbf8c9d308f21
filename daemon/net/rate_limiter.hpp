// Limits how many `invalid_code` answers one peer address may collect per time window, so that
// activation codes cannot be guessed at network speed. One instance serves every listener (seat
// protocol and HTTP), so a guesser has one budget per address. Used from the network thread only.
//
// An answer is charged only when it comes, so a lookup that may turn out a wrong guess holds a
// place in its address's budget while it is in flight (begin_guess .. end_guess): otherwise
// pipelining, or many connections from one address, would get a whole round of guesses past the
// budget before the first is charged (issue #25.1). A lookup that finds every place held waits
// for one (wait_for_place) rather than being refused: forty endpoints behind one address asking
// with a new code at once are not guessing, and the first answer makes the code known. Codes that
// recently matched a license are known, and lookups of them take no place: an endpoint fleet uses
// a few codes all day.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "domain/seat_error.hpp"

namespace lmp::net {

class InvalidCodeLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  InvalidCodeLimiter(int burst, std::chrono::seconds window) : burst_(burst), window_(window) {}

  // `peer` is the address as Asio prints it; an IPv4-mapped IPv6 address counts as the IPv4
  // address (peer_key), so that listeners bound to different families share the budget.
  // Seconds the peer must wait before its next code is looked up, because its wrong guesses
  // spent the window's budget; 0 when it may go on.
  std::int64_t retry_after(const std::string& peer, Clock::time_point now);
  // Whether a guess may go out now: the budget has a place not spent and not held by a guess in
  // flight. REQUIRES: retry_after(peer, now) returned 0 just before.
  bool place_free(const std::string& peer, Clock::time_point now);
  // `resume` runs (on the network thread, from within end_guess) when one of the peer's guesses
  // in flight is answered; it must check again from retry_after on. A caller waits this way only
  // after place_free said no, so the peer has a guess in flight and `resume` does run.
  void wait_for_place(const std::string& peer, std::function<void()> resume);
  // A lookup that may be a wrong guess goes out: it holds a place in the peer's budget until
  // end_guess, which must follow exactly once. REQUIRES: place_free(peer, now).
  void begin_guess(const std::string& peer, Clock::time_point now);
  // The guess was answered: its place is given back, charged when `wrong`, and the peer's
  // waiters resume.
  void end_guess(const std::string& peer, Clock::time_point now, bool wrong);
  // Counts one `invalid_code` answer against the peer.
  void record_invalid(const std::string& peer, Clock::time_point now);
  std::size_t tracked_peers() const { return peers_.size(); }

  // A code as a client wrote it, reduced to what known_code() compares.
  static std::size_t code_key(std::string_view code) { return std::hash<std::string_view>{}(code); }
  // Whether a lookup of the code was lately answered with anything but invalid_code (or a
  // failure of the server's own): the code matches a license.
  bool known_code(std::size_t key) const { return known_.count(key) != 0; }
  // The answer to a lookup of the code `key` came: charged when it tells a guesser the code was
  // wrong, remembered as known when it shows the code matched a license. `guess` says whether
  // the lookup was begun with begin_guess, whose place it then gives back.
  void answered(const std::string& peer, Clock::time_point now, std::size_t key,
                std::optional<domain::SeatError> error, bool guess);

 private:
  struct Window {
    Clock::time_point start;
    int count = 0;    // wrong guesses answered since start
    int pending = 0;  // guesses in flight, whatever their window: they are charged on answer
  };
  Window& window_of(const std::string& key, Clock::time_point now);
  void prune(Clock::time_point now);
  void remember_code(std::size_t key);

  int burst_;
  std::chrono::seconds window_;
  std::unordered_map<std::string, Window> peers_;
  std::unordered_map<std::string, std::vector<std::function<void()>>> waiting_;
  std::unordered_set<std::size_t> known_;
};

}  // namespace lmp::net
