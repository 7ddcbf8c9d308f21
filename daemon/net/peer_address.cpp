// Normalization of peer addresses for the per-address limits.
#include "net/peer_address.hpp"

#include <string_view>

namespace lmp::net {

std::string peer_key(const std::string& peer) {
  constexpr std::string_view kMapped = "::ffff:";
  if (peer.size() > kMapped.size() && peer.compare(0, kMapped.size(), kMapped) == 0 &&
      peer.find('.', kMapped.size()) != std::string::npos)
    return peer.substr(kMapped.size());
  return peer;
}

}  // namespace lmp::net
