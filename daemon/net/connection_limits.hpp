// Counts one listener's open connections, in total and per peer address, so that a listener can
// refuse a connection over either limit before it costs more than the accept. Used from the
// network thread only.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>

namespace lmp::net {

class ConnectionLimits {
 public:
  enum class Verdict { admitted, over_total, over_per_address };

  ConnectionLimits(std::size_t max_total, std::size_t max_per_address)
      : max_total_(max_total), max_per_address_(max_per_address) {}

  // Counts a new connection from `peer` (as Asio prints it; see peer_key) unless that would pass
  // a limit. Every admitted connection must be released exactly once.
  Verdict admit(const std::string& peer);
  void release(const std::string& peer);
  std::size_t open() const { return open_; }
  std::size_t open_from(const std::string& peer) const;

 private:
  std::size_t max_total_;
  std::size_t max_per_address_;
  std::size_t open_ = 0;
  std::unordered_map<std::string, std::size_t> per_address_;  // only addresses with connections
};

}  // namespace lmp::net
