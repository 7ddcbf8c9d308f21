// The interface a listener keeps its connections by, whatever their stream (plain TCP or TLS).
// The per-request work stays in each listener's connection template, so plain TCP pays no
// virtual call per request.
#pragma once

#include <memory>
#include <string>

namespace lmp::net {

class Listener;

class ListenerConnection : public std::enable_shared_from_this<ListenerConnection> {
 public:
  virtual ~ListenerConnection() = default;
  // Called once, right after the connection joined its listener's set.
  virtual void start() = 0;
  // Ends the connection at once; what is in flight is dropped.
  virtual void close() = 0;
  // The listener is stopping: finish what the protocol says must be finished, then close.
  virtual void drain() = 0;
  // The client's address, as Asio prints it.
  virtual const std::string& peer() const = 0;

 private:
  friend class Listener;
  // The listener's list of the connections that wait for a request, oldest first
  // (Listener::set_receiving): intrusive, so that entering and leaving it allocate nothing.
  ListenerConnection* receiving_older_ = nullptr;
  ListenerConnection* receiving_newer_ = nullptr;
  bool receiving_ = false;
};

}  // namespace lmp::net
