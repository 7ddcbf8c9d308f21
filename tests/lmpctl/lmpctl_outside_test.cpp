// lmpctl where no lmpd answers as lmpd: a web server that is not lmpd's API exits 3 (no usable
// service), as docs/lmpctl.md says, not 1 (a refusal); and a mistyped command is one short line.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "support/daemon_process.hpp"

namespace lmp::test {
namespace {

CommandResult lmpctl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {LMPCTL_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  // No config file, server or CA from this machine's environment.
  return run_command(argv, {"LMPCTL_TOKEN=lmp_test", "LMPCTL_SERVER", "LMPCTL_CA_FILE",
                            "LMPCTL_TIMEOUT", "XDG_CONFIG_HOME=/nonexistent"});
}

// A server on a free loopback port that answers one request with `answer` and closes.
class OneAnswerServer {
 public:
  explicit OneAnswerServer(std::string answer) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listener_, 4);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this, answer = std::move(answer)] {
      const int peer = ::accept(listener_, nullptr, nullptr);
      if (peer < 0) return;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::read(peer, buf, sizeof buf);
        if (n <= 0) break;
        request.append(buf, static_cast<std::size_t>(n));
      }
      (void)!::write(peer, answer.data(), answer.size());
      ::close(peer);
    });
  }
  ~OneAnswerServer() {
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

std::string http_answer(int status, const std::string& type, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
         body;
}

TEST(LmpctlOutsideTest, AServerThatIsNotLmpdExitsThree) {
  OneAnswerServer web(http_answer(404, "text/html", "<html><body>Not Found</body></html>"));
  const auto r = lmpctl({"--server", web.url(), "customers", "list"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.err,
            "lmpctl: not an answer of lmpd's API: HTTP 404: <html><body>Not "
            "Found</body></html>\n");
}

TEST(LmpctlOutsideTest, TheApisOwnRefusalStillExitsOne) {
  OneAnswerServer api(http_answer(404, "application/json",
                                  R"({"error":{"code":"not_found","message":"no such partner"}})"));
  const auto r = lmpctl({"--server", api.url(), "partners", "get", "9"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err, "lmpctl: not_found: no such partner (HTTP 404)\n");
}

TEST(LmpctlOutsideTest, AnUnknownCommandIsOneLineAndAPointer) {
  const auto r = lmpctl({"partners", "frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  // One line since the parsers share Boost.Program_options (issue #22), pointing at the help of
  // the commands the first word starts.
  EXPECT_EQ(r.err,
            "lmpctl: unknown command 'partners frobnicate' (`lmpctl partners --help` lists the "
            "commands)\n");
}

}  // namespace
}  // namespace lmp::test
