// lmp-echo-server: a bare line-echo server with lmpd's network loop (one io_context on one
// thread, the same read, framing and write batching), so benchmarks can show lmpd's ceiling.
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/write.hpp>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// The limits of daemon/net/seat_server.cpp, so that the echo does the same bookkeeping per byte.
constexpr std::size_t kMaxLineBytes = 4096;
constexpr std::size_t kMaxUnsentBytes = 1 << 20;

constexpr const char* kUsage =
    "usage: lmp-echo-server [--address 127.0.0.1] [--port 27499]\n"
    "  answers every LF-terminated line with the same line; SIGINT or SIGTERM stops it\n";

class Connection;
using Registry = std::unordered_set<std::shared_ptr<Connection>>;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Registry& registry, tcp::socket socket)
      : registry_(registry), socket_(std::move(socket)) {
    boost::system::error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
    socket_.non_blocking(true, ec);
  }

  void start() { read(); }

  void close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    registry_.erase(shared_from_this());
  }

 private:
  void read() {
    if (reading_ || stop_reading_ || closed_) return;
    // Backpressure as in lmpd: a client that does not read its answers stops being read.
    if (out_.size() >= kMaxUnsentBytes) return;
    reading_ = true;
    socket_.async_read_some(
        asio::buffer(buffer_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
          self->reading_ = false;
          if (self->closed_) return;
          if (ec) {
            // The peer finished sending: answer what it sent, then close, as lmpd does.
            self->stop_reading_ = true;
            self->close_after_flush_ = true;
            self->flush();
            return;
          }
          self->consume(std::string_view(self->buffer_.data(), n));
          self->flush();
          self->read();
        });
  }

  void consume(std::string_view data) {
    while (!data.empty() && !stop_reading_) {
      auto lf = data.find('\n');
      std::string_view piece = lf == std::string_view::npos ? data : data.substr(0, lf);
      if (partial_.size() + piece.size() + 1 > kMaxLineBytes) {
        out_.append("ERR line_too_long\n");
        stop_reading_ = true;
        close_after_flush_ = true;
        return;
      }
      if (lf == std::string_view::npos) {
        partial_.append(piece);
        return;
      }
      if (partial_.empty()) {
        echo(piece);
      } else {
        partial_.append(piece);
        echo(partial_);
        partial_.clear();
      }
      data.remove_prefix(lf + 1);
    }
  }

  void echo(std::string_view line) {
    out_.append(line);
    out_.push_back('\n');
  }

  // Everything answered since the last write goes out in one write, as in lmpd: straight to the
  // kernel, and only what it did not take in an async_write.
  void flush() {
    if (closed_ || writing_) return;
    if (out_.empty()) {
      if (close_after_flush_) close();
      return;
    }
    boost::system::error_code ec;
    const std::size_t n = socket_.write_some(asio::buffer(out_), ec);
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
      close();
      return;
    }
    const std::size_t written = ec ? 0 : n;
    if (written == out_.size()) {
      out_.clear();
      if (close_after_flush_) close();
      return;
    }
    writing_ = true;
    sending_.assign(out_, written);
    out_.clear();
    asio::async_write(
        socket_, asio::buffer(sending_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
          self->writing_ = false;
          self->sending_.clear();
          if (ec) {
            self->close();
            return;
          }
          self->flush();
          self->read();
        });
  }

  Registry& registry_;
  tcp::socket socket_;
  std::array<char, 8192> buffer_{};
  std::string partial_;
  std::string out_;      // answers not yet handed to the socket
  std::string sending_;  // the answers being written now
  bool reading_ = false;
  bool writing_ = false;
  bool stop_reading_ = false;
  bool close_after_flush_ = false;
  bool closed_ = false;
};

void accept(tcp::acceptor& acceptor, Registry& registry) {
  acceptor.async_accept(
      [&acceptor, &registry](const boost::system::error_code& ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;
        if (!ec) {
          auto connection = std::make_shared<Connection>(registry, std::move(socket));
          registry.insert(connection);
          connection->start();
        } else {
          std::cerr << "accept_failed error=" << ec.message() << "\n";
        }
        accept(acceptor, registry);
      });
}

bool parse_port(const std::string& text, std::uint16_t& port) {
  if (text.empty() || text.size() > 5) return false;
  unsigned long value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned long>(c - '0');
  }
  if (value > 65535) return false;
  port = static_cast<std::uint16_t>(value);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string address = "127.0.0.1";
  std::uint16_t port = 27499;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 < argc && arg == "--address") {
      address = argv[++i];
    } else if (i + 1 < argc && arg == "--port") {
      if (!parse_port(argv[++i], port)) {
        std::cerr << "lmp-echo-server: --port must be 0 to 65535\n" << kUsage;
        return 2;
      }
    } else {
      std::cerr << "lmp-echo-server: unexpected argument '" << arg << "'\n" << kUsage;
      return 2;
    }
  }

  asio::io_context io{1};  // the concurrency hint lmpd gives its single network thread
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(address, ec);
  if (ec) {
    std::cerr << "lmp-echo-server: invalid address " << address << "\n";
    return 2;
  }
  tcp::endpoint endpoint(ip, port);
  tcp::acceptor acceptor(io);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::cerr << "lmp-echo-server: cannot listen on " << address << ":" << port << ": "
              << ec.message() << "\n";
    return 1;
  }
  Registry registry;
  accept(acceptor, registry);

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& wait_ec, int) {
    if (wait_ec) return;
    acceptor.close(ec);
    auto open = registry;
    for (auto& connection : open) connection->close();
    io.stop();
  });

  std::cerr << "listening port=" << acceptor.local_endpoint().port() << std::endl;
  io.run();
  return 0;
}
