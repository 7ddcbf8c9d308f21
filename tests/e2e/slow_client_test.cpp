// Slow clients through real sockets (issue #25.2): a request trickled a byte at a time is cut
// after limits.request_timeout_seconds, however often its bytes come, and clients that trickle
// or say nothing cannot hold every connection slot: a new client from another address is served.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.hpp"
#include "support/line_client.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Sends `text` a byte every 100 ms, starting over at its end, and expects the server to cut the
// connection about a second (the test's request timeout) after the first byte.
template <class Client>
void expect_cut_when_trickling(Client& client, const std::string& text) {
  const auto start = Clock::now();
  for (std::size_t i = 0; Clock::now() - start < std::chrono::seconds(8); ++i) {
    try {
      client.send_raw(text.substr(i % text.size(), 1));
    } catch (const std::runtime_error&) {
      break;  // the server reset it
    }
    if (client.closed_by_server(milliseconds(100))) break;
  }
  const auto lasted = Clock::now() - start;
  EXPECT_GE(lasted, milliseconds(900));
  EXPECT_LT(lasted, milliseconds(3000)) << "the trickled request was not cut in time";
}

class SlowClientTest : public ::testing::Test {
 protected:
  SlowClientTest() : config_(base_config(dir_.path())) {
    config_.limits.request_timeout_seconds = 1;
    config_.limits.idle_timeout_seconds = 5;  // never reached: every 100 ms brings a byte
  }

  TempDir dir_;
  config::Config config_;
};

TEST_F(SlowClientTest, SeatLineTrickledAByteAtATimeIsCut) {
  TestServer server(config_);
  LineClient c(server.port());
  ASSERT_EQ(c.request("PING"), "OK");  // a client that has talked is held to it too
  expect_cut_when_trickling(c, "STATUS code=");
}

TEST_F(SlowClientTest, SeatLinesThatComeWholeAreNotTimed) {
  TestServer server(config_);
  LineClient c(server.port());
  // Two seconds of requests, each whole at once: the request timeout never starts.
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(c.request("PING tag=" + std::to_string(i)), "OK tag=" + std::to_string(i));
    std::this_thread::sleep_for(milliseconds(200));
  }
  // A line split across two sends in good time is one request.
  c.send_raw("PI");
  std::this_thread::sleep_for(milliseconds(300));
  c.send_raw("NG tag=split\n");
  EXPECT_EQ(c.read_line(), "OK tag=split");
}

TEST_F(SlowClientTest, HttpHeadTrickledAByteAtATimeIsCut) {
  TestServer server(config_);
  HttpClient c(server.admin_port());
  ASSERT_EQ(c.get("/healthz").status, 200);
  expect_cut_when_trickling(c, "GET /healthz HTTP/1.1\r\nX-Pad: aaaaaaaaaaaaaaaaaaaa");
}

TEST_F(SlowClientTest, HttpRequestNotReceivedInTimeIsAnswered408) {
  TestServer server(config_);
  HttpClient c(server.admin_port());
  c.send_raw(
      "POST /v1/seat/status HTTP/1.1\r\nContent-Type: application/json\r\n"
      "Content-Length: 20\r\n\r\n{\"code\":");
  auto reply = c.read_reply(std::chrono::seconds(5));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 408);
  EXPECT_EQ(reply->error_code(), "request_timeout");
  EXPECT_FALSE(reply->keep_alive);
  EXPECT_TRUE(c.closed_by_server());
}

// Every slot of both listeners held by one address's trickling and silent connections; a client
// from another address takes the place of the one that has waited longest, and a connection that
// has completed its requests (an idle endpoint) keeps its place.
TEST_F(SlowClientTest, TricklersFromOneAddressDoNotLockOutOthers) {
  config_.limits.request_timeout_seconds = 30;  // the slots are freed by eviction, not by timeouts
  config_.limits.idle_timeout_seconds = 600;
  config_.limits.max_connections = 6;
  const std::string code = create_license(config_, {.units = 5});
  TestServer server(config_);
  LineClient endpoint(server.port(), "127.0.0.3");
  ASSERT_EQ(endpoint.request("PING"), "OK");
  HttpClient idle_http(server.admin_port(), "127.0.0.3");
  ASSERT_EQ(idle_http.get("/healthz").status, 200);

  std::vector<std::unique_ptr<LineClient>> seat_tricklers;
  std::vector<std::unique_ptr<HttpClient>> http_tricklers;
  for (int i = 0; i < 5; ++i) {
    seat_tricklers.push_back(std::make_unique<LineClient>(server.port()));
    http_tricklers.push_back(std::make_unique<HttpClient>(server.admin_port()));
    if (i % 2 == 0) {  // the others say nothing at all
      seat_tricklers.back()->send_raw("CHECK");
      http_tricklers.back()->send_raw("GET /heal");
    }
  }
  // Both listeners are full now; the servers see each connection before the next test step.
  std::this_thread::sleep_for(milliseconds(200));

  LineClient newcomer(server.port(), "127.0.0.2");
  const std::string granted = newcomer.request("CHECKOUT code=" + code + " host=ws9 user=bob");
  EXPECT_EQ(status_of(granted), "OK") << granted;
  HttpClient http_newcomer(server.admin_port(), "127.0.0.2");
  EXPECT_EQ(http_newcomer.get("/healthz").status, 200);

  // The oldest waiting connection of each listener made room; the idle ones are still served.
  EXPECT_TRUE(seat_tricklers.front()->closed_by_server());
  EXPECT_TRUE(http_tricklers.front()->closed_by_server());
  EXPECT_EQ(endpoint.request("PING"), "OK");
  EXPECT_EQ(idle_http.get("/healthz").status, 200);
}

// When no connection waits for a request, a full listener still refuses as before.
TEST_F(SlowClientTest, AFullListenerOfBusyClientsStillRefuses) {
  config_.limits.max_connections = 1;
  TestServer server(config_);
  LineClient endpoint(server.port());
  ASSERT_EQ(endpoint.request("PING"), "OK");
  LineClient refused(server.port(), "127.0.0.2");
  auto answer = refused.read_line();
  ASSERT_TRUE(answer);
  EXPECT_EQ(status_of(*answer), "unavailable");
  EXPECT_EQ(endpoint.request("PING"), "OK");
}

}  // namespace
}  // namespace lmp::test
