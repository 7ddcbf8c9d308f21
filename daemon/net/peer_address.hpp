// The key under which per-address limits count a peer, so that every listener and limit agrees on
// who "the same address" is.
#pragma once

#include <string>

namespace lmp::net {

// `peer` is the address as Asio prints it. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a
// dual-stack listener sees) counts as the IPv4 address, so that listeners bound to different
// families count the same client once.
std::string peer_key(const std::string& peer);

}  // namespace lmp::net
