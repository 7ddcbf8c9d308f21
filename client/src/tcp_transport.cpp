// TCP connections to a server with timeouts on connect, write and read.
#include "tcp_transport.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "client_error.hpp"
#include "line_buffer.hpp"

namespace lmp::client {
namespace {

int remaining_ms(Deadline deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(left.count());
}

class TcpTransport final : public Transport {
 public:
  TcpTransport(int fd, std::string peer) : fd_(fd), peer_(std::move(peer)) {}
  ~TcpTransport() override { ::close(fd_); }
  TcpTransport(const TcpTransport&) = delete;
  TcpTransport& operator=(const TcpTransport&) = delete;

  void write(std::string_view bytes, Deadline deadline) override {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n > 0) {
        bytes.remove_prefix(static_cast<std::size_t>(n));
      } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        if (!wait_for(fd_, POLLOUT, deadline)) fail("timed out sending");
      } else {
        fail(std::string("send failed: ") + std::strerror(errno));
      }
    }
  }

  std::string read_line(Deadline deadline) override {
    while (true) {
      if (auto line = take_line(buffer_, peer_)) return *line;
      if (!wait_for(fd_, POLLIN, deadline)) fail("timed out waiting for the answer");
      char chunk[4096];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n > 0) {
        buffer_.append(chunk, static_cast<std::size_t>(n));
      } else if (n == 0) {
        fail("the server closed the connection");
      } else if (errno != EAGAIN && errno != EINTR) {
        fail(std::string("receive failed: ") + std::strerror(errno));
      }
    }
  }

  std::size_t read_some(char* out, std::size_t size, Deadline deadline) override {
    if (!buffer_.empty()) return take_buffered(buffer_, out, size);
    while (true) {
      if (!wait_for(fd_, POLLIN, deadline)) fail("timed out waiting for the answer");
      ssize_t n = ::recv(fd_, out, size, 0);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EAGAIN && errno != EINTR)
        fail(std::string("receive failed: ") + std::strerror(errno));
    }
  }

  bool unusable_while_idle() override {
    if (!buffer_.empty()) return true;
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) != 0;  // readable (EOF, reset, unasked bytes) or a poll error
  }

 private:
  [[noreturn]] void fail(const std::string& why) {
    throw ClientError(LMP_ERR_UNREACHABLE, peer_ + ": " + why);
  }

  int fd_;
  std::string peer_;
  std::string buffer_;
};

// One connect attempt to one resolved address; the fd or -1 with `error` set.
int connect_one(const addrinfo& ai, Deadline deadline, std::string& error) {
  int fd = ::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol);
  if (fd < 0) {
    error = std::strerror(errno);
    return -1;
  }
  int rc = ::connect(fd, ai.ai_addr, ai.ai_addrlen);
  if (rc != 0 && errno == EINPROGRESS) {
    if (!wait_for(fd, POLLOUT, deadline)) {
      error = "connect timed out";
      ::close(fd);
      return -1;
    }
    int so_error = 0;
    socklen_t len = sizeof so_error;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
    rc = so_error == 0 ? 0 : -1;
    errno = so_error;
  }
  if (rc != 0) {
    error = std::strerror(errno);
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace

bool wait_for(int fd, short events, Deadline deadline) {
  while (true) {
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, remaining_ms(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

int connect_socket(const ServerAddress& server, Deadline deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  auto port = std::to_string(server.port);
  int rc = ::getaddrinfo(server.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0)
    throw ClientError(LMP_ERR_UNREACHABLE, server.to_string() + ": " + ::gai_strerror(rc));
  std::string error = "no address";
  int fd = -1;
  for (auto* ai = found; ai != nullptr && fd < 0; ai = ai->ai_next)
    fd = connect_one(*ai, deadline, error);
  ::freeaddrinfo(found);
  if (fd < 0) throw ClientError(LMP_ERR_UNREACHABLE, server.to_string() + ": " + error);
  return fd;
}

std::unique_ptr<Transport> connect_tcp(const ServerAddress& server, Deadline deadline) {
  return std::make_unique<TcpTransport>(connect_socket(server, deadline), server.to_string());
}

}  // namespace lmp::client
