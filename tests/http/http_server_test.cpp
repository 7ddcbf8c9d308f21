// HttpServer assembled by hand, as the admin API will use it: routes registered on its router are
// served through a real socket, token routes fail closed or go through the authenticator, handler
// mistakes cost only their request, the size options apply, and stop() drains.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/value.hpp>
#include <future>
#include <stdexcept>
#include <thread>

#include "http/http_server.hpp"
#include "http/json_response.hpp"
#include "http/router.hpp"
#include "net/rate_limiter.hpp"
#include "plugin/daemon_host.hpp"
#include "plugin/registry.hpp"
#include "seat/seat_service.hpp"
#include "storage/seat_store.hpp"
#include "support/http_client.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using http::Access;
using http::HttpRequest;
using http::HttpResponse;
using http::Reply;

HttpResponse text_json(int status, const std::string& field, const std::string& value) {
  return http::json_response(status, json::value({{field, value}}));
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = base_config(dir_.path());
    std::vector<plugin::LoadFailure> failures;
    registry_.load_directory(config_.plugin_directory, host_, failures);
    ASSERT_TRUE(failures.empty());
    std::vector<std::string> errors;
    auto catalog = seat::ProductCatalog::build(config_, registry_, errors);
    ASSERT_TRUE(errors.empty());
    service_ = std::make_unique<seat::SeatService>(storage::open_sqlite(config_.storage), catalog,
                                                   clock_, seat::SeatServiceOptions{});
    service_->set_completion_executor(
        [this](std::function<void()> work) { asio::post(io_, std::move(work)); });
    service_->start();
    options_.listener.address = "127.0.0.1";
    options_.listener.port = 0;
  }

  void TearDown() override {
    if (thread_.joinable()) {
      guard_.reset();
      io_.stop();
      thread_.join();
    }
    server_.reset();
    service_->stop();
  }

  // Builds the server; routes may then be added on router() until start().
  http::Router& build() {
    server_ = std::make_unique<http::HttpServer>(io_, *service_, limiter_, options_);
    return server_->router();
  }

  void start() {
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }

  // Runs `f` on the network thread and waits for it.
  template <class F>
  void on_network_thread(F f) {
    std::promise<void> done;
    asio::post(io_, [&] {
      f();
      done.set_value();
    });
    done.get_future().wait();
  }

  HttpClient client() { return HttpClient(server_->port()); }

  TempDir dir_;
  config::Config config_;
  ManualClock clock_{kTestEpochMs};
  plugin::DaemonHost host_{clock_};
  plugin::FamilyRegistry registry_;
  net::InvalidCodeLimiter limiter_{10, std::chrono::seconds(60)};
  asio::io_context io_{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_{
      asio::make_work_guard(io_)};
  std::unique_ptr<seat::SeatService> service_;
  http::HttpServerOptions options_;
  std::unique_ptr<http::HttpServer> server_;
  std::thread thread_;
};

TEST_F(HttpServerTest, RegisteredRoutesAreServedBesideTheSeatRoutes) {
  auto& router = build();
  router.add("GET", "/v1/echo", [](HttpRequest& request, Reply reply) {
    reply(text_json(200, "query", request.query));
  });
  // An asynchronous handler: it answers from a later turn of the event loop.
  router.add("POST", "/v1/things", [this](HttpRequest& request, Reply reply) {
    asio::post(io_, [reply, body = request.body] { reply(text_json(201, "got", body)); });
  });
  start();
  HttpClient c = client();
  auto echo = c.get("/v1/echo?limit=5&after=abc");
  EXPECT_EQ(echo.status, 200);
  EXPECT_EQ(echo.json(), json::value({{"query", "limit=5&after=abc"}}));
  auto created = c.request("POST", "/v1/things", R"({"name":"x"})");
  EXPECT_EQ(created.status, 201);
  EXPECT_EQ(created.json(), json::value({{"got", R"({"name":"x"})"}}));
  EXPECT_EQ(c.get("/v1/things").header("allow"), "POST");
  EXPECT_EQ(c.get("/healthz").status, 200);
  EXPECT_EQ(c.request("POST", "/v1/seat/checkin", R"({"lease":"00"})").error_code(),
            "lease_unknown");
}

TEST_F(HttpServerTest, TokenRoutesAreRefusedWithoutAnAuthenticator) {
  bool ran = false;
  build().add(
      "GET", "/v1/accounts",
      [&ran](HttpRequest&, Reply reply) {
        ran = true;
        reply(text_json(200, "accounts", ""));
      },
      Access::bearer_token);
  start();
  HttpClient c = client();
  c.send_raw(request_text("GET", "/v1/accounts", {}, {}, {"Authorization: Bearer anything"}));
  auto reply = c.read_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 401);
  EXPECT_EQ(reply->error_code(), "unauthorized");
  EXPECT_EQ(reply->header("www-authenticate"), "Bearer");
  EXPECT_TRUE(reply->keep_alive);
  on_network_thread([&] { EXPECT_FALSE(ran); });
}

TEST_F(HttpServerTest, TokenRoutesGoThroughTheAuthenticator) {
  auto& router = build();
  router.add(
      "GET", "/v1/whoami",
      [](HttpRequest& request, Reply reply) {
        reply(text_json(200, "principal", request.principal));
      },
      Access::bearer_token);
  router.set_authenticator(
      [this](const HttpRequest& request, std::function<void(http::AuthOutcome)> done) {
        const std::string* authorization = request.header("authorization");
        if (authorization == nullptr || *authorization != "Bearer s3cret") {
          done({http::error_response(401, "unauthorized", "unknown token"), {}});
          return;
        }
        // Answers later, as a lookup on the storage thread would.
        asio::post(io_, [done] { done({std::nullopt, "account:1"}); });
      });
  start();
  HttpClient c = client();
  c.send_raw(request_text("GET", "/v1/whoami", {}, {}, {"Authorization: Bearer s3cret"}));
  auto admitted = c.read_reply();
  ASSERT_TRUE(admitted);
  EXPECT_EQ(admitted->status, 200);
  EXPECT_EQ(admitted->json(), json::value({{"principal", "account:1"}}));
  c.send_raw(request_text("GET", "/v1/whoami", {}, {}, {"Authorization: Bearer guess"}));
  auto refused = c.read_reply();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(c.get("/v1/whoami").status, 401);
}

TEST_F(HttpServerTest, HandlerMistakesCostOnlyTheirRequest) {
  auto& router = build();
  router.add("GET", "/throws",
             [](HttpRequest&, Reply) -> void { throw std::runtime_error("handler bug"); });
  router.add("GET", "/status-1000", [](HttpRequest&, Reply reply) {
    HttpResponse response;
    response.status = 1000;
    reply(std::move(response));
  });
  router.add("GET", "/no-content", [](HttpRequest&, Reply reply) {
    reply(text_json(204, "ignored", "a body a 204 cannot carry"));
  });
  router.add("GET", "/twice", [](HttpRequest&, Reply reply) {
    reply(text_json(200, "answer", "first"));
    reply(text_json(200, "answer", "second"));
  });
  start();
  HttpClient c = client();
  auto thrown = c.get("/throws");
  EXPECT_EQ(thrown.status, 500);
  EXPECT_EQ(thrown.error_code(), "internal");
  EXPECT_TRUE(thrown.keep_alive);
  EXPECT_EQ(c.get("/status-1000").status, 500);
  auto empty = c.get("/no-content");
  EXPECT_EQ(empty.status, 204);
  EXPECT_EQ(empty.body, "");
  EXPECT_EQ(c.get("/twice").json(), json::value({{"answer", "first"}}));
  // The second reply went nowhere: the next answer on the connection is the next request's.
  EXPECT_EQ(c.get("/healthz").json(), json::value({{"status", "ok"}}));
}

TEST_F(HttpServerTest, SizeLimitsComeFromTheOptions) {
  options_.max_body_bytes = 100;
  options_.max_header_bytes = 1024;
  build();
  start();
  {
    HttpClient c = client();
    std::string body = R"({"lease":"00","pad":")";
    body += std::string(100 - body.size() - 2, 'x') + "\"}";
    ASSERT_EQ(body.size(), 100u);
    auto at_limit = c.request("POST", "/v1/seat/checkin", body);
    EXPECT_EQ(at_limit.error_code(), "lease_unknown") << at_limit.body;
    auto over = c.request("POST", "/v1/seat/checkin", std::string(101, ' '));
    EXPECT_EQ(over.status, 413);
    EXPECT_NE(over.body.find("100 bytes"), std::string::npos) << over.body;
  }
  HttpClient c = client();
  c.send_raw(request_text("GET", "/healthz", {}, {}, {"X-Pad: " + std::string(1100, 'p')}));
  auto big = c.read_reply();
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 431);
}

TEST_F(HttpServerTest, StopClosesIdleConnectionsAndFinishesBusyOnes) {
  Reply held;
  build().add("GET", "/v1/slow", [&held](HttpRequest&, Reply reply) { held = std::move(reply); });
  start();
  HttpClient idle = client();
  EXPECT_EQ(idle.get("/readyz").status, 200);
  HttpClient busy = client();
  busy.send_raw(request_text("GET", "/v1/slow"));
  // The request is in flight once its handler holds the reply.
  for (int i = 0; i < 500; ++i) {
    bool holding = false;
    on_network_thread([&] { holding = static_cast<bool>(held); });
    if (holding) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const std::uint16_t port = server_->port();
  on_network_thread([&] {
    ASSERT_TRUE(held);
    server_->stop();
    EXPECT_TRUE(server_->draining());
  });
  EXPECT_TRUE(idle.closed_by_server());
  EXPECT_THROW(HttpClient{port}, std::runtime_error);  // no longer accepting
  on_network_thread([&] { held(text_json(200, "finally", "done")); });
  auto answer = busy.read_reply();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->json(), json::value({{"finally", "done"}}));
  EXPECT_FALSE(answer->keep_alive);
  EXPECT_TRUE(busy.closed_by_server());
  on_network_thread([&] { EXPECT_EQ(server_->connection_count(), 0u); });
}

}  // namespace
}  // namespace lmp::test
