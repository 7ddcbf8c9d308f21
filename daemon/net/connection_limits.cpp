// Total and per-address connection counting.
#include "net/connection_limits.hpp"

#include "net/peer_address.hpp"

namespace lmp::net {

ConnectionLimits::Verdict ConnectionLimits::admit(const std::string& peer) {
  if (open_ >= max_total_) return Verdict::over_total;
  std::string key = peer_key(peer);
  auto it = per_address_.find(key);
  if (it != per_address_.end() && it->second >= max_per_address_) return Verdict::over_per_address;
  ++per_address_[std::move(key)];
  ++open_;
  return Verdict::admitted;
}

void ConnectionLimits::release(const std::string& peer) {
  auto it = per_address_.find(peer_key(peer));
  if (it == per_address_.end()) return;
  --open_;
  // Erased at zero, so that the table holds only addresses with open connections.
  if (--it->second == 0) per_address_.erase(it);
}

std::size_t ConnectionLimits::open_from(const std::string& peer) const {
  auto it = per_address_.find(peer_key(peer));
  return it == per_address_.end() ? 0 : it->second;
}

}  // namespace lmp::net
