// Fixed-window counting of invalid activation codes per peer address.
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

void InvalidCodeLimiter::prune(Clock::time_point now) {
  for (auto it = peers_.begin(); it != peers_.end();) {
    it = now >= it->second.start + window_ ? peers_.erase(it) : std::next(it);
  }
}

}  // namespace lmp::net
