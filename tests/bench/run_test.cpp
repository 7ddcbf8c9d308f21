// Short real runs: lmp-bench's run in-process and as the lmp-bench binary against an in-process
// lmpd on a loopback port, and against a stand-in Redis that keeps seats the way the Lua seat
// scripts do. They check what was counted, never how fast it was.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "lmp_bench/replies.hpp"
#include "lmp_bench/runner.hpp"
#include "support/daemon_process.hpp"
#include "support/line_client.hpp"
#include "support/test_server.hpp"

namespace lmp::bench {
namespace {

Options lmpd_options(std::uint16_t port, const std::string& code) {
  Options o;
  o.target = Target::lmpd;
  o.port = port;
  o.code = code;
  o.connections = 2;
  o.pipeline = 4;
  o.duration_s = 1;
  o.warmup_s = 0.2;
  return o;
}

std::string used_units(std::uint16_t port, const std::string& code) {
  test::LineClient client(port);
  return test::fields_of(client.request("STATUS code=" + code))["used"];
}

// A port that was free a moment ago: bound, read and closed again.
std::uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class BenchRunTest : public ::testing::Test {
 protected:
  void SetUp() override { config_ = test::base_config(dir_.path()); }

  test::TempDir dir_;
  config::Config config_;
};

TEST_F(BenchRunTest, RunsTheSeatCycleWithoutErrorsWhenUnitsSuffice) {
  std::string code = test::create_license(config_, {.units = 100});
  test::TestServer server(config_);
  Options options = lmpd_options(server.port(), code);

  Report report;
  std::ostringstream diagnostics;
  ASSERT_EQ(run_bench(options, report, diagnostics), 0) << diagnostics.str();
  EXPECT_GT(report.ops, 0u);
  EXPECT_EQ(report.ok_ops, report.ops);
  EXPECT_TRUE(report.errors.empty());
  EXPECT_EQ(report.transport_errors, 0u);
  EXPECT_GT(report.max_us, 0);
  EXPECT_LE(report.p50_us, report.p99_us);
  EXPECT_LE(report.p99_us, report.max_us);
  EXPECT_EQ(report.target, "lmpd");
  EXPECT_EQ(report.connections, 2);
  EXPECT_EQ(report.pipeline, 4);
  EXPECT_TRUE(diagnostics.str().empty()) << diagnostics.str();
  // Leases held when the run ended were checked in, so the next run starts clean.
  EXPECT_EQ(used_units(server.port(), code), "0");
}

TEST_F(BenchRunTest, SeveralThreadsShareTheConnections) {
  std::string code = test::create_license(config_, {.units = 100});
  test::TestServer server(config_);
  Options options = lmpd_options(server.port(), code);
  options.connections = 3;
  options.threads = 2;
  options.mix = {Op::checkout, Op::checkin};

  Report report;
  std::ostringstream diagnostics;
  ASSERT_EQ(run_bench(options, report, diagnostics), 0) << diagnostics.str();
  EXPECT_GT(report.ops, 0u);
  EXPECT_TRUE(report.errors.empty());
  EXPECT_EQ(report.threads, 2);
  EXPECT_EQ(used_units(server.port(), code), "0");
}

TEST_F(BenchRunTest, TooFewUnitsShowAsNoSeatsInTheJson) {
  std::string code = test::create_license(config_, {.units = 3});
  test::TestServer server(config_);
  auto json_path = dir_.path() / "report.json";
  // No warmup: the first round alone has 8 slots asking for 3 units.
  auto result = test::run_command({LMP_BENCH_BINARY, "--target", "lmpd", "--port",
                                   std::to_string(server.port()), "--code", code, "--connections",
                                   "2", "--pipeline", "4", "--duration", "1", "--warmup", "0",
                                   "--json", json_path.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("no_seats="), std::string::npos) << result.out;

  auto json = boost::json::parse(test::read_file(json_path)).as_object();
  EXPECT_EQ(json.at("target").as_string(), "lmpd");
  EXPECT_EQ(json.at("port").to_number<int>(), server.port());
  auto ops = json.at("ops").to_number<std::uint64_t>();
  auto ok_ops = json.at("ok_ops").to_number<std::uint64_t>();
  const auto& errors = json.at("errors").as_object();
  ASSERT_TRUE(errors.contains("no_seats")) << result.out;
  auto no_seats = errors.at("no_seats").to_number<std::uint64_t>();
  EXPECT_GT(no_seats, 0u);
  EXPECT_EQ(errors.size(), 1u) << result.out;
  EXPECT_EQ(ok_ops + no_seats, ops);
  EXPECT_EQ(json.at("transport_errors").to_number<int>(), 0);
  EXPECT_TRUE(json.at("latency_us").as_object().contains("p999"));
  EXPECT_FALSE(json.at("started_at").as_string().empty());
  EXPECT_EQ(used_units(server.port(), code), "0");
}

TEST_F(BenchRunTest, APortListSpreadsTheConnectionsAndNamesEveryPortInTheJson) {
  std::string code = test::create_license(config_, {.units = 100});
  test::TestServer server(config_);
  auto json_path = dir_.path() / "report.json";
  // One lmpd named twice: the round-robin over a list, without a second database to share.
  std::string port = std::to_string(server.port());
  auto result = test::run_command(
      {LMP_BENCH_BINARY, "--target", "lmpd", "--port", port + "," + port, "--code", code,
       "--connections", "3", "--duration", "0.5", "--warmup", "0", "--json", json_path.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("127.0.0.1:" + port + "," + port + " "), std::string::npos)
      << result.out;
  auto json = boost::json::parse(test::read_file(json_path)).as_object();
  EXPECT_EQ(json.at("ports"), (boost::json::array{server.port(), server.port()}));
  EXPECT_GT(json.at("ops").to_number<std::uint64_t>(), 0u);
  EXPECT_TRUE(json.at("errors").as_object().empty()) << result.out;
  EXPECT_EQ(json.at("transport_errors").to_number<int>(), 0);
  EXPECT_EQ(used_units(server.port(), code), "0");
}

TEST_F(BenchRunTest, AClosedPortOfAListIsNamed) {
  std::string code = test::create_license(config_, {.units = 100});
  test::TestServer server(config_);
  Options options = lmpd_options(server.port(), code);
  options.ports = {server.port(), closed_port()};
  Report report;
  std::ostringstream diagnostics;
  EXPECT_EQ(run_bench(options, report, diagnostics), 1);
  EXPECT_NE(diagnostics.str().find("lmp-bench: cannot connect to 127.0.0.1:" +
                                   std::to_string(options.ports[1]) + ": "),
            std::string::npos)
      << diagnostics.str();
}

TEST_F(BenchRunTest, BadArgumentsExitTwoWithOneLine) {
  auto result = test::run_command(
      {LMP_BENCH_BINARY, "--target", "lmpd", "--code", "1", "--pipeline", "many"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err, "lmp-bench: --pipeline: not a number: 'many'\n");
  EXPECT_TRUE(result.out.empty());
}

TEST_F(BenchRunTest, NothingToConnectToExitsOne) {
  Report report;
  std::ostringstream diagnostics;
  Options options = lmpd_options(closed_port(), "1");
  EXPECT_EQ(run_bench(options, report, diagnostics), 1);
  EXPECT_NE(diagnostics.str().find("lmp-bench: cannot connect to 127.0.0.1:"), std::string::npos)
      << diagnostics.str();
}

// A stand-in for Redis that answers SCRIPT LOAD, SET and EVALSHA the way the seat scripts
// behave on a real one (a used counter beside one key per lease), on a thread per connection.
class FakeRedis {
 public:
  FakeRedis() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 64) != 0) {
      throw std::runtime_error("fake redis: cannot listen");
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~FakeRedis() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    ::close(listen_fd_);
    {
      std::lock_guard lock(mutex_);
      for (int fd : client_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : clients_) t.join();
    for (int fd : client_fds_) ::close(fd);
  }

  std::uint16_t port() const { return port_; }
  std::int64_t used() {
    std::lock_guard lock(mutex_);
    return used_;
  }
  std::size_t live_leases() {
    std::lock_guard lock(mutex_);
    return leases_.size();
  }
  int scripts_loaded() {
    std::lock_guard lock(mutex_);
    return static_cast<int>(scripts_.size());
  }

 private:
  void accept_loop() {
    while (true) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      std::lock_guard lock(mutex_);
      client_fds_.push_back(fd);
      clients_.emplace_back([this, fd] { serve(fd); });
    }
  }

  void serve(int fd) {
    std::string in;
    char chunk[16384];
    while (true) {
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return;
      in.append(chunk, static_cast<std::size_t>(n));
      std::string out;
      std::size_t pos = 0;
      while (true) {
        RespValue command;
        std::size_t used = parse_resp(std::string_view(in).substr(pos), command);
        if (used == 0) break;
        pos += used;
        out += answer(command);
      }
      in.erase(0, pos);
      if (!out.empty() && ::send(fd, out.data(), out.size(), MSG_NOSIGNAL) < 0) return;
    }
  }

  std::string answer(const RespValue& command) {
    std::vector<std::string> args;
    for (const auto& e : command.elements) args.emplace_back(e.text);
    std::lock_guard lock(mutex_);
    if (args.size() == 3 && args[0] == "SCRIPT" && args[1] == "LOAD") {
      std::string sha(40, '0');
      sha.back() = static_cast<char>('1' + scripts_.size());
      scripts_[sha] = args[2];
      return "$40\r\n" + sha + "\r\n";
    }
    if (args.size() == 3 && args[0] == "SET") {
      values_[args[1]] = args[2];
      if (args[1] == "lmpbench:used") used_ = std::stoll(args[2]);
      return "+OK\r\n";
    }
    if (args.size() >= 3 && args[0] == "EVALSHA") {
      auto script = scripts_.find(args[1]);
      if (script == scripts_.end()) return "-NOSCRIPT No matching script.\r\n";
      std::size_t keys = std::stoul(args[2]);
      std::vector<std::string> k(args.begin() + 3, args.begin() + 3 + keys);
      std::vector<std::string> argv(args.begin() + 3 + keys, args.end());
      const std::string& body = script->second;
      if (body.find("INCR") != std::string::npos && k.size() == 2 && argv.size() == 2) {
        if (k[0] != "lmpbench:used") return "-ERR wrong counter key\r\n";
        if (used_ >= std::stoll(argv[0])) return ":0\r\n";
        ++used_;
        leases_.insert(k[1]);
        return ":1\r\n";
      }
      if (body.find("PEXPIRE") != std::string::npos && k.size() == 1 && argv.size() == 1) {
        return leases_.count(k[0]) ? ":1\r\n" : ":0\r\n";
      }
      if (body.find("DEL") != std::string::npos && k.size() == 2) {
        if (leases_.erase(k[1]) == 0) return ":0\r\n";
        --used_;
        return ":1\r\n";
      }
      return "-ERR bad script call\r\n";
    }
    return "-ERR unknown command\r\n";
  }

  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<int> client_fds_;
  std::vector<std::thread> clients_;
  std::map<std::string, std::string> scripts_;
  std::map<std::string, std::string> values_;
  std::set<std::string> leases_;
  std::int64_t used_ = -1;  // the run must reset it
};

Options redis_options(std::uint16_t port, std::int64_t units) {
  Options o;
  o.target = Target::redis;
  o.port = port;
  o.units = units;
  o.connections = 2;
  o.pipeline = 4;
  o.duration_s = 1;
  o.warmup_s = 0;
  return o;
}

TEST(BenchRedisRun, SeatScriptsRunWithoutErrorsWhenUnitsSuffice) {
  FakeRedis redis;
  Report report;
  std::ostringstream diagnostics;
  ASSERT_EQ(run_bench(redis_options(redis.port(), 1000), report, diagnostics), 0)
      << diagnostics.str();
  EXPECT_EQ(redis.scripts_loaded(), 3);
  EXPECT_GT(report.ops, 0u);
  EXPECT_EQ(report.ok_ops, report.ops);
  EXPECT_TRUE(report.errors.empty());
  EXPECT_EQ(report.transport_errors, 0u);
  // Held leases were checked in at the end.
  EXPECT_EQ(redis.used(), 0);
  EXPECT_EQ(redis.live_leases(), 0u);
}

TEST(BenchRedisRun, ScriptRefusalsCountAsNoSeats) {
  FakeRedis redis;
  Report report;
  std::ostringstream diagnostics;
  ASSERT_EQ(run_bench(redis_options(redis.port(), 3), report, diagnostics), 0) << diagnostics.str();
  ASSERT_EQ(report.errors.count("no_seats"), 1u);
  EXPECT_GT(report.errors.at("no_seats"), 0u);
  EXPECT_EQ(report.errors.size(), 1u);
  EXPECT_GT(report.ok_ops, 0u);
  EXPECT_EQ(redis.used(), 0);
}

TEST(BenchRedisRun, AServerThatIsNotRedisFailsTheSetup) {
  lmp::test::TempDir dir;
  auto config = test::base_config(dir.path());
  test::TestServer server(config);
  Report report;
  std::ostringstream diagnostics;
  EXPECT_EQ(run_bench(redis_options(server.port(), 3), report, diagnostics), 1);
  EXPECT_NE(diagnostics.str().find("lmp-bench: redis setup: not a Redis answer"), std::string::npos)
      << diagnostics.str();
}

}  // namespace
}  // namespace lmp::bench
