// A blocking seat-protocol client for tests: connect, send lines, read answer lines with a
// timeout. Plain POSIX sockets, so tests exercise the server exactly as an endpoint would.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace lmp::test {

class LineClient {
 public:
  // Connects to 127.0.0.1:port, from `source_address` when given (another loopback address such
  // as 127.0.0.2 looks like another client); throws std::runtime_error when it cannot.
  explicit LineClient(std::uint16_t port, const std::string& source_address = "");
  ~LineClient();
  LineClient(const LineClient&) = delete;
  LineClient& operator=(const LineClient&) = delete;

  // Sends raw bytes as they are (add "\n" yourself).
  void send_raw(std::string_view bytes);
  // Sends one request line (LF added).
  void send(std::string_view line) { send_raw(std::string(line) + "\n"); }
  // Sends what of `bytes` the socket takes within `timeout` and returns how much that was;
  // nullopt once the connection is broken (the server closed or reset it).
  std::optional<std::size_t> send_some(std::string_view bytes, std::chrono::milliseconds timeout);
  // The next answer line without its LF; nullopt on timeout or when the server closed.
  std::optional<std::string> read_line(
      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // send + read_line; returns "<no answer>" when none came.
  std::string request(std::string_view line);
  // True when the server closed the connection (reads EOF) within the timeout.
  bool closed_by_server(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Half-closes: tells the server nothing more will be sent.
  void shutdown_write();
  // TCP segments with data this socket has received (the kernel's tcpi_data_segs_in): how many
  // writes the server's answers took, on loopback where nothing splits or merges them. nullopt
  // when the kernel does not say (before Linux 4.6).
  std::optional<std::uint32_t> data_segments_received() const;

 private:
  int fd_ = -1;
  std::string buffer_;
};

// The fields of an answer line ("OK a=1 b=2" → {"a":"1","b":"2"}), values percent-decoded.
std::map<std::string, std::string> fields_of(const std::string& line);
// "OK" or the error code of an answer line.
std::string status_of(const std::string& line);

}  // namespace lmp::test
