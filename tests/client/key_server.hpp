// A stand-in for lmpd's GET /v1/keys in the client's borrow tests: a loopback HTTP server on a
// real socket that answers one canned body per connection; and the listening socket it opens.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace lmp::test {

// A listening socket on 127.0.0.1 at a port the kernel picks (written to `port`); throws
// std::runtime_error when it cannot. The borrow tests' scripted servers start with it.
int listen_loopback(std::uint16_t& port);

// Serves `body` with `status` for GET /v1/keys on a loopback port until destroyed; 404 for other
// paths. Counts the requests it answered.
class KeyServer {
 public:
  explicit KeyServer(std::string body, int status = 200);
  ~KeyServer();
  KeyServer(const KeyServer&) = delete;
  KeyServer& operator=(const KeyServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_; }

 private:
  void serve();

  std::string body_;
  int status_;
  std::uint16_t port_ = 0;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

}  // namespace lmp::test
