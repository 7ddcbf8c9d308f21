// What every listener (net/listener.hpp) takes from the config, whatever protocol it speaks: where
// it listens, its connection limits and timeouts, its TLS, and the counters it feeds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace lmp::net {

class TlsContextHolder;

struct ListenerOptions {
  // "seat" or "admin": in log lines, messages and the counters' labels.
  std::string name;
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0 picks a free port; Listener::port() tells which
  std::size_t max_connections = 10000;
  std::size_t max_connections_per_address = 1000;
  // A connection that sends nothing this long while nothing of it is in flight is closed.
  int idle_timeout_seconds = 600;
  // A request (a seat line; an HTTP head and body) not received whole this long after its first
  // byte closes the connection.
  int request_timeout_seconds = 30;
  // A write that the client does not take within this time drops the connection.
  int send_timeout_seconds = 30;
  // Set: the listener speaks TLS only, with the holder's current context at each accept.
  std::shared_ptr<TlsContextHolder> tls;
  // A TLS peer that has not completed its handshake by then is disconnected.
  int tls_handshake_timeout_seconds = 10;
  // Called on the network thread with handshake_failure_reason() or "timeout".
  std::function<void(std::string_view reason)> on_tls_handshake_failure;
  // Called on the network thread for each accept that failed (the listener then waits
  // kAcceptRetryDelay before the next).
  std::function<void()> on_accept_failure;
};

// Every default, for the listener called `name` on `port`.
inline ListenerOptions listener_defaults(std::string name, std::uint16_t port) {
  ListenerOptions options;
  options.name = std::move(name);
  options.port = port;
  return options;
}

}  // namespace lmp::net
