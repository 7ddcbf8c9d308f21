// The framing both transports read answers with: complete lines out of what was received.
#pragma once

#include <optional>
#include <string>

#include "client_error.hpp"

namespace lmp::client {

// Longer than any answer lmpd sends (its lines are at most 4096 bytes).
inline constexpr std::size_t kMaxLine = 16384;

// Takes the first complete line (without its LF and CR) out of `buffer`; nullopt while none is
// complete. Throws ClientError(LMP_ERR_PROTOCOL) naming `peer` when more than kMaxLine bytes
// came without an LF.
inline std::optional<std::string> take_line(std::string& buffer, const std::string& peer) {
  auto lf = buffer.find('\n');
  if (lf == std::string::npos) {
    if (buffer.size() > kMaxLine)
      throw ClientError(LMP_ERR_PROTOCOL, "the server " + peer + " sent an overlong line");
    return std::nullopt;
  }
  std::string line = buffer.substr(0, lf);
  buffer.erase(0, lf + 1);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Moves up to `size` bytes from the front of `buffer` to `out`; returns how many.
inline std::size_t take_buffered(std::string& buffer, char* out, std::size_t size) {
  const std::size_t n = buffer.size() < size ? buffer.size() : size;
  buffer.copy(out, n);
  buffer.erase(0, n);
  return n;
}

}  // namespace lmp::client
