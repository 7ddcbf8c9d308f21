// The byte stream under the seat protocol: plain TCP (tcp_transport) or TLS (tls_transport,
// chosen by a "tls://" server entry).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace lmp::client {

using Deadline = std::chrono::steady_clock::time_point;

class Transport {
 public:
  virtual ~Transport() = default;
  // Writes every byte before the deadline. Throws ClientError(LMP_ERR_UNREACHABLE).
  virtual void write(std::string_view bytes, Deadline deadline) = 0;
  // The next line without its LF (and CR). Throws ClientError(LMP_ERR_UNREACHABLE) on a
  // timeout, a closed or reset connection; LMP_ERR_PROTOCOL on an overlong line.
  virtual std::string read_line(Deadline deadline) = 0;
  // Up to `size` bytes as they come (what read_line left first); 0 once the peer has closed the
  // connection. Throws ClientError(LMP_ERR_UNREACHABLE) on a timeout or a reset connection.
  virtual std::size_t read_some(char* out, std::size_t size, Deadline deadline) = 0;
  // Without blocking: true when the peer closed the connection or sent something unasked,
  // so an idle connection must not be reused (for example after a server restart).
  virtual bool unusable_while_idle() = 0;
};

}  // namespace lmp::client
