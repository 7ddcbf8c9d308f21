// The key server: one accept loop polling for its stop flag, one request per connection.
#include "key_server.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace lmp::test {

int listen_loopback(std::uint16_t& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd, 8) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot listen on 127.0.0.1");
  }
  port = ntohs(address.sin_port);
  return fd;
}

KeyServer::KeyServer(std::string body, int status)
    : body_(std::move(body)), status_(status), fd_(listen_loopback(port_)) {
  thread_ = std::thread([this] { serve(); });
}

KeyServer::~KeyServer() {
  stop_ = true;
  thread_.join();
  ::close(fd_);
}

void KeyServer::serve() {
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    int client = ::accept(fd_, nullptr, nullptr);
    if (client < 0) continue;
    std::string request;
    char chunk[1024];
    while (request.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::recv(client, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      request.append(chunk, static_cast<std::size_t>(n));
    }
    bool keys = request.starts_with("GET /v1/keys HTTP/1.1\r\n");
    int status = keys ? status_ : 404;
    std::string body = keys ? body_ : "{}";
    std::string answer =
        "HTTP/1.1 " + std::to_string(status) +
        " X\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\nConnection: close\r\n\r\n" + body;
    ::send(client, answer.data(), answer.size(), MSG_NOSIGNAL);
    ::close(client);
    ++requests_;
  }
}

}  // namespace lmp::test
