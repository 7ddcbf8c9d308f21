// Each limit of the seat listener tripped through a real socket: connections in total and per
// address, the idle timeout, the bound on unsent answers with its send timeout, and the wait queue.
#include <gtest/gtest.h>

#include <thread>

#include "support/line_client.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

// Whether a new connection is accepted (it answers PING) within `within`. Retries, since the
// server learns of a client's close only when it reads the end of that stream.
bool accepted_within(std::uint16_t port, std::chrono::seconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    LineClient c(port);
    if (c.request("PING") == "OK") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// The answer a refused connection gets before the server closes it.
void expect_refused(LineClient& c, const std::string& why) {
  auto refused = c.read_line();
  ASSERT_TRUE(refused);
  EXPECT_EQ(status_of(*refused), "unavailable");
  EXPECT_EQ(fields_of(*refused)["msg"], why);
  EXPECT_TRUE(c.closed_by_server());
}

TEST(LimitsTest, ConnectionsOverTheTotalAreRefused) {
  TempDir dir;
  auto config = base_config(dir.path());
  config.limits.max_connections = 2;
  TestServer server(config);
  LineClient first(server.port());
  LineClient second(server.port(), "127.0.0.2");
  EXPECT_EQ(first.request("PING"), "OK");
  EXPECT_EQ(second.request("PING"), "OK");
  LineClient third(server.port(), "127.0.0.3");
  expect_refused(third, "too many connections");
  EXPECT_EQ(first.request("PING"), "OK");
}

TEST(LimitsTest, ConnectionsOverThePerAddressLimitAreRefused) {
  TempDir dir;
  auto config = base_config(dir.path());
  config.limits.max_connections_per_address = 2;
  TestServer server(config);
  auto first = std::make_unique<LineClient>(server.port());
  LineClient second(server.port());
  EXPECT_EQ(first->request("PING"), "OK");
  EXPECT_EQ(second.request("PING"), "OK");
  LineClient third(server.port());
  expect_refused(third, "too many connections from this address");
  // Another address has its own allowance.
  LineClient elsewhere(server.port(), "127.0.0.2");
  EXPECT_EQ(elsewhere.request("PING"), "OK");
  // A closed connection gives its place back.
  first.reset();
  EXPECT_TRUE(accepted_within(server.port(), std::chrono::seconds(5)));
  EXPECT_EQ(second.request("PING"), "OK");
}

TEST(LimitsTest, IdleConnectionsAreClosed) {
  TempDir dir;
  auto config = base_config(dir.path());
  config.limits.idle_timeout_seconds = 1;
  TestServer server(config);
  LineClient c(server.port());
  EXPECT_EQ(c.request("PING"), "OK");
  EXPECT_TRUE(c.closed_by_server(std::chrono::seconds(10)));
}

// The idle timer is set once and, when it fires, waits again for what is left of the timeout
// since the last read: a client that keeps talking must never be closed on the first deadline.
TEST(LimitsTest, ActiveConnectionsOutliveTheIdleTimeout) {
  TempDir dir;
  auto config = base_config(dir.path());
  config.limits.idle_timeout_seconds = 1;
  TestServer server(config);
  LineClient c(server.port());
  for (int i = 0; i < 10; ++i) {  // 3 s of requests, three times the timeout
    ASSERT_EQ(c.request("PING tag=" + std::to_string(i)), "OK tag=" + std::to_string(i));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  EXPECT_TRUE(c.closed_by_server(std::chrono::seconds(10)));
}

TEST(LimitsTest, ClientThatDoesNotReadIsDropped) {
  TempDir dir;
  auto config = base_config(dir.path());
  config.limits.max_unsent_bytes = 4096;
  config.limits.send_timeout_seconds = 1;
  TestServer server(config);
  LineClient c(server.port());
  // Each 6-byte HELLO asks for an answer of about 50 bytes, which this client never reads: the
  // socket buffers fill, lmpd stops reading it, and after the send timeout drops it.
  std::string burst;
  for (int i = 0; i < 10000; ++i) burst += "HELLO\n";
  bool dropped = false;
  std::size_t sent = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!dropped && std::chrono::steady_clock::now() < deadline) {
    auto n = c.send_some(burst, std::chrono::milliseconds(200));
    if (n) sent += *n;
    dropped = !n;
  }
  EXPECT_TRUE(dropped) << "still connected after sending " << sent << " bytes";
  // It is gone for good, and other clients are served.
  EXPECT_TRUE(c.closed_by_server());
  LineClient other(server.port());
  EXPECT_EQ(other.request("PING"), "OK");
}

TEST(LimitsTest, SlowReaderGetsEveryAnswer) {
  TempDir dir;
  auto config = base_config(dir.path());
  config.limits.max_unsent_bytes = 4096;
  config.limits.send_timeout_seconds = 2;
  TestServer server(config);
  LineClient c(server.port());
  // Far more answers than the bound: lmpd pauses reading while they wait, and goes on as the
  // client reads them, so none is lost.
  constexpr int kRequests = 20000;
  std::string burst;
  for (int i = 0; i < kRequests; ++i) burst += "PING tag=" + std::to_string(i) + "\n";
  std::thread sender([&] { c.send_raw(burst); });
  for (int i = 0; i < kRequests; ++i) {
    auto line = c.read_line();
    ASSERT_TRUE(line) << "answer " << i;
    ASSERT_EQ(*line, "OK tag=" + std::to_string(i));
    if (i % 5000 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  sender.join();
}

TEST(LimitsTest, WaitQueueIsBounded) {
  TempDir dir;
  auto config = base_config(dir.path());
  config.limits.max_waiters = 1;
  auto code = create_license(config, {.units = 1});
  TestServer server(config);
  LineClient holder(server.port());
  LineClient first(server.port());
  LineClient second(server.port());
  auto lease = fields_of(holder.request("CHECKOUT code=" + code))["lease"];
  first.send("CHECKOUT code=" + code + " wait=30");
  EXPECT_EQ(first.read_line(std::chrono::milliseconds(300)), std::nullopt);
  auto full = second.request("CHECKOUT code=" + code + " wait=30");
  EXPECT_EQ(status_of(full), "no_seats");
  EXPECT_EQ(fields_of(full)["msg"], "the wait queue is full");
  EXPECT_EQ(holder.request("CHECKIN lease=" + lease), "OK");
  auto served = first.read_line();
  ASSERT_TRUE(served);
  EXPECT_EQ(status_of(*served), "OK");
}

}  // namespace
}  // namespace lmp::test
