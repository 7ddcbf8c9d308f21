// Fixed-window counting of invalid activation codes per peer address, and the codes known to
// match a license.
#include "net/rate_limiter.hpp"

#include "net/peer_address.hpp"

namespace lmp::net {

std::int64_t InvalidCodeLimiter::retry_after(const std::string& peer, Clock::time_point now) {
  auto it = peers_.find(peer_key(peer));
  if (it == peers_.end()) return 0;
  Window& w = it->second;
  const auto end = w.start + window_;
  if (now >= end) {
    if (w.pending == 0) {
      peers_.erase(it);
      return 0;
    }
    w = Window{now, 0, w.pending};
  }
  if (w.count < burst_) return 0;
  auto left = std::chrono::duration_cast<std::chrono::seconds>(w.start + window_ - now).count();
  return left < 1 ? 1 : left + 1;
}

bool InvalidCodeLimiter::place_free(const std::string& peer, Clock::time_point now) {
  auto it = peers_.find(peer_key(peer));
  if (it == peers_.end()) return true;
  const Window& w = it->second;
  const int spent = now >= w.start + window_ ? 0 : w.count;
  return spent + w.pending < burst_;
}

void InvalidCodeLimiter::wait_for_place(const std::string& peer, std::function<void()> resume) {
  waiting_[peer_key(peer)].push_back(std::move(resume));
}

InvalidCodeLimiter::Window& InvalidCodeLimiter::window_of(const std::string& key,
                                                          Clock::time_point now) {
  // The table must stay bounded even when a scan comes from many addresses.
  if (peers_.size() >= 100000) prune(now);
  auto [it, inserted] = peers_.try_emplace(key, Window{now, 0, 0});
  if (!inserted && now >= it->second.start + window_)
    it->second = Window{now, 0, it->second.pending};
  return it->second;
}

void InvalidCodeLimiter::record_invalid(const std::string& peer, Clock::time_point now) {
  ++window_of(peer_key(peer), now).count;
}

void InvalidCodeLimiter::begin_guess(const std::string& peer, Clock::time_point now) {
  ++window_of(peer_key(peer), now).pending;
}

void InvalidCodeLimiter::end_guess(const std::string& peer, Clock::time_point now, bool wrong) {
  const std::string key = peer_key(peer);
  Window& w = window_of(key, now);
  if (w.pending > 0) --w.pending;
  if (wrong) ++w.count;
  auto waiters = waiting_.find(key);
  if (waiters == waiting_.end()) return;
  // Taken out first: a waiter that finds no place again waits anew, into a fresh list.
  auto resumes = std::move(waiters->second);
  waiting_.erase(waiters);
  for (auto& resume : resumes) resume();
}

void InvalidCodeLimiter::answered(const std::string& peer, Clock::time_point now, std::size_t key,
                                  std::optional<domain::SeatError> error, bool guess) {
  using domain::SeatError;
  const bool wrong = error && domain::info(*error).charges_invalid_code_budget;
  // A failure of the server's own says nothing about the code.
  const bool unanswered =
      error && (*error == SeatError::unavailable || *error == SeatError::internal);
  if (!wrong && !unanswered) remember_code(key);
  if (guess)
    end_guess(peer, now, wrong);
  else if (wrong)
    record_invalid(peer, now);
}

void InvalidCodeLimiter::remember_code(std::size_t key) {
  // Bounded however many licenses there are: forgetting only costs a lookup's waiting for the
  // connection's previous one.
  if (known_.size() >= 100000) known_.clear();
  known_.insert(key);
}

void InvalidCodeLimiter::prune(Clock::time_point now) {
  for (auto it = peers_.begin(); it != peers_.end();) {
    const bool spent = now >= it->second.start + window_ && it->second.pending == 0;
    it = spent ? peers_.erase(it) : std::next(it);
  }
}

}  // namespace lmp::net
