// The plain-TCP transport: POSIX sockets, non-blocking, every wait a poll() with a deadline.
#pragma once

#include <memory>

#include "server_address.hpp"
#include "transport.hpp"

namespace lmp::client {

// Resolves and connects to `server` before the deadline (each resolved address in turn).
// Name resolution uses the system resolver and its own timeouts (resolv.conf). Throws
// ClientError(LMP_ERR_UNREACHABLE) naming the server and the cause.
std::unique_ptr<Transport> connect_tcp(const ServerAddress& server, Deadline deadline);

// The same connect, as a non-blocking socket the caller owns (the TLS transport runs over it).
int connect_socket(const ServerAddress& server, Deadline deadline);

// Waits for `events` on fd until the deadline; false on timeout.
bool wait_for(int fd, short events, Deadline deadline);

}  // namespace lmp::client
