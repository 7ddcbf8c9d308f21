// Fixed-window counting of invalid activation codes per peer address, and the codes known to
// match a license.
#include "net/rate_limiter.hpp"

#include "net/peer_address.hpp"

namespace lmp::net {

std::int64_t InvalidCodeLimiter::retry_after(const std::string& peer, Clock::time_point now) {
  auto it = peers_.find(peer_key(peer));
  if (it == peers_.end()) return 0;
  const auto end = it->second.start + window_;
  if (now >= end) {
    peers_.erase(it);
    return 0;
  }
  if (it->second.count < burst_) return 0;
  auto left = std::chrono::duration_cast<std::chrono::seconds>(end - now).count();
  return left < 1 ? 1 : left + 1;
}

void InvalidCodeLimiter::record_invalid(const std::string& peer, Clock::time_point now) {
  // The table must stay bounded even when a scan comes from many addresses.
  if (peers_.size() >= 100000) prune(now);
  auto [it, inserted] = peers_.try_emplace(peer_key(peer), Window{now, 0});
  if (!inserted && now >= it->second.start + window_) it->second = Window{now, 0};
  ++it->second.count;
}

void InvalidCodeLimiter::answered(const std::string& peer, Clock::time_point now, std::size_t key,
                                  std::optional<domain::SeatError> error) {
  using domain::SeatError;
  if (error && domain::info(*error).charges_invalid_code_budget) {
    record_invalid(peer, now);
    return;
  }
  // A failure of the server's own says nothing about the code.
  if (error && (*error == SeatError::unavailable || *error == SeatError::internal)) return;
  remember_code(key);
}

void InvalidCodeLimiter::remember_code(std::size_t key) {
  // Bounded however many licenses there are: forgetting only costs a lookup's waiting for the
  // connection's previous one.
  if (known_.size() >= 100000) known_.clear();
  known_.insert(key);
}

void InvalidCodeLimiter::prune(Clock::time_point now) {
  for (auto it = peers_.begin(); it != peers_.end();) {
    it = now >= it->second.start + window_ ? peers_.erase(it) : std::next(it);
  }
}

}  // namespace lmp::net
