// The interface a listener keeps its connections by, whatever their stream (plain TCP or TLS).
// The per-request work stays in each listener's connection template, so plain TCP pays no
// virtual call per request.
#pragma once

#include <memory>

namespace lmp::net {

class ListenerConnection : public std::enable_shared_from_this<ListenerConnection> {
 public:
  virtual ~ListenerConnection() = default;
  // Called once, right after the connection joined its listener's set.
  virtual void start() = 0;
  // Ends the connection at once; what is in flight is dropped.
  virtual void close() = 0;
  // The listener is stopping: finish what the protocol says must be finished, then close.
  virtual void drain() = 0;
};

}  // namespace lmp::net
