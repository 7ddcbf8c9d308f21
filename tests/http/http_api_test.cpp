// The HTTP listener through real sockets against an in-process lmpd: the seat operations over
// HTTP/JSON, their error statuses, request limits, keep-alive, leases and the invalid-code budget
// shared with the seat protocol, waiting, health and readiness.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <latch>
#include <thread>
#include <vector>

#include "core/activation_code.hpp"
#include "support/http_client.hpp"
#include "support/line_client.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

namespace json = boost::json;

class HttpApiTest : public ::testing::Test {
 protected:
  void SetUp() override { config_ = base_config(dir_.path()); }
  void start() {
    server_ = std::make_unique<TestServer>(config_);
    ASSERT_NE(server_->admin_port(), 0);
  }
  std::string license(LicenseSpec spec = {}) { return create_license(config_, spec); }
  HttpClient http() { return HttpClient(server_->admin_port()); }

  TempDir dir_;
  config::Config config_;
  std::unique_ptr<TestServer> server_;
};

// The message of an error body, for checks that it names the offending field.
std::string message_of(const HttpReply& reply) {
  auto value = reply.json();
  if (!value.is_object()) return {};
  const auto* error = value.get_object().if_contains("error");
  if (error == nullptr || !error->is_object()) return {};
  const auto* message = error->get_object().if_contains("message");
  return message != nullptr && message->is_string() ? std::string(message->get_string())
                                                    : std::string();
}

const json::object& object_of(const json::value& value) {
  static const json::object kEmpty;
  return value.is_object() ? value.get_object() : kEmpty;
}

// The answer a refused connection gets before the server closes it.
void expect_refused_with_503(HttpClient& c, const std::string& message) {
  auto refused = c.read_reply();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->error_code(), "unavailable");
  EXPECT_EQ(message_of(*refused), message) << refused->body;
  EXPECT_TRUE(c.closed_by_server());
}

// Sends `request` and expects it answered `status` with the error `code` (and a message holding
// `said`), then the connection closed.
void expect_answered_then_closed(HttpClient c, const std::string& request, int status,
                                 const std::string& code, const std::string& said = {}) {
  SCOPED_TRACE(request);
  c.send_raw(request);
  auto reply = c.read_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, status) << reply->body;
  EXPECT_EQ(reply->error_code(), code);
  EXPECT_NE(message_of(*reply).find(said), std::string::npos) << reply->body;
  EXPECT_TRUE(c.closed_by_server());
}

constexpr std::int64_t kEpochSeconds = kTestEpochMs / 1000;
constexpr std::int64_t kLicenseEnd = (kTestEpochMs + 365LL * 86400000) / 1000;

TEST_F(HttpApiTest, SeatOperationsAnswerJsonObjects) {
  auto code = license({.units = 3});
  start();
  HttpClient c = http();

  auto activate = c.post("/v1/seat/activate", {{"code", code}, {"host", "ws1"}, {"user", "ann"}});
  ASSERT_EQ(activate.status, 200) << activate.body;
  EXPECT_EQ(activate.header("content-type"), "application/json");
  EXPECT_EQ(activate.header("cache-control"), "no-store");
  EXPECT_EQ(activate.header("server").rfind("lmpd/", 0), 0u) << activate.header("server");
  EXPECT_FALSE(activate.header("date").empty());
  auto a = object_of(activate.json());
  ASSERT_TRUE(a.contains("license")) << activate.body;
  EXPECT_TRUE(a.at("license").is_int64());
  EXPECT_EQ(a.at("product"), "cad");
  EXPECT_EQ(a.at("family"), "software");
  EXPECT_EQ(a.at("units"), 3);
  EXPECT_EQ(a.at("unit"), "seats");
  EXPECT_EQ(a.at("expires"), kLicenseEnd);

  auto checkout = c.post("/v1/seat/checkout", {{"code", code}, {"units", 2}, {"user", "ann"}});
  ASSERT_EQ(checkout.status, 200) << checkout.body;
  auto o = object_of(checkout.json());
  ASSERT_TRUE(o.contains("lease") && o.at("lease").is_string()) << checkout.body;
  const std::string lease(o.at("lease").get_string());
  EXPECT_GE(lease.size(), 32u);
  EXPECT_EQ(o.at("units"), 2);
  EXPECT_EQ(o.at("expires"), kEpochSeconds + 300);
  EXPECT_EQ(o.at("heartbeat"), 60);
  EXPECT_EQ(o.size(), 4u) << checkout.body;

  auto status = c.post("/v1/seat/status", {{"code", code}, {"product", "cad"}});
  ASSERT_EQ(status.status, 200) << status.body;
  EXPECT_EQ(status.json(), json::parse(R"({"product":"cad","state":"active","units":3,"used":2,)"
                                       R"("free":1,"expires":)" +
                                       std::to_string(kLicenseEnd) + "}"));

  server_->advance_seconds(100);
  auto heartbeat = c.post("/v1/seat/heartbeat", {{"lease", lease}});
  ASSERT_EQ(heartbeat.status, 200) << heartbeat.body;
  EXPECT_EQ(heartbeat.json(), json::value({{"expires", kEpochSeconds + 400}}));

  auto checkin = c.post("/v1/seat/checkin", {{"lease", lease}});
  ASSERT_EQ(checkin.status, 200) << checkin.body;
  EXPECT_EQ(checkin.json(), json::object());
  EXPECT_EQ(object_of(c.post("/v1/seat/status", {{"code", code}}).json()).at("used"), 0);
}

TEST_F(HttpApiTest, ErrorCodesMapToStatusesWithJsonBodies) {
  auto code = license({.units = 1});
  auto later = license({.starts_at_ms = kTestEpochMs + 86400000});
  auto over =
      license({.starts_at_ms = kTestEpochMs - 2 * 86400000, .expires_at_ms = kTestEpochMs - 1000});
  config_.products[1].end_of_life_unix = kEpochSeconds - 10;
  auto eol = license({.product = "agent", .unit = sdk::UnitType::endpoints});
  start();
  HttpClient c = http();
  auto expect_error = [&](const std::string& path, const json::value& body, int status,
                          const std::string& error) {
    SCOPED_TRACE(path + " " + json::serialize(body));
    auto reply = c.post(path, body);
    EXPECT_EQ(reply.status, status) << reply.body;
    EXPECT_EQ(reply.error_code(), error) << reply.body;
    EXPECT_FALSE(message_of(reply).empty()) << reply.body;
    EXPECT_EQ(reply.header("content-type"), "application/json");
    EXPECT_TRUE(reply.keep_alive);  // errors of the API do not end the connection
  };
  expect_error("/v1/seat/checkout", {{"code", activation_code::generate()}}, 404, "invalid_code");
  expect_error("/v1/seat/status", {{"code", "12345"}}, 404, "invalid_code");
  expect_error("/v1/seat/heartbeat", {{"lease", "0123"}}, 404, "lease_unknown");
  expect_error("/v1/seat/checkin", {{"lease", "0123"}}, 404, "lease_unknown");
  expect_error("/v1/seat/checkout", {{"code", code}, {"product", "agent"}}, 403,
               "product_not_licensed");
  ASSERT_EQ(c.post("/v1/seat/checkout", {{"code", code}}).status, 200);
  expect_error("/v1/seat/checkout", {{"code", code}}, 409, "no_seats");
  expect_error("/v1/seat/checkout", {{"code", later}}, 403, "license_not_started");
  expect_error("/v1/seat/activate", {{"code", later}}, 403, "license_not_started");
  expect_error("/v1/seat/checkout", {{"code", over}}, 403, "license_expired");
  expect_error("/v1/seat/checkout", {{"code", eol}, {"host", "h1"}}, 403, "end_of_life");
  expect_error("/v1/seat/checkout", {{"code", code}, {"units", 0}}, 400, "bad_request");
}

TEST_F(HttpApiTest, PluginFailureIsInternal) {
  // The "throwing" test family throws from every checkout call.
  config_.plugin_directory = LMP_TEST_THROWING_PLUGIN_DIR;
  config_.products.resize(1);
  config_.products[0].family = "throwing";
  auto code = license();
  start();
  HttpClient c = http();
  auto failed = c.post("/v1/seat/checkout", {{"code", code}});
  EXPECT_EQ(failed.status, 500) << failed.body;
  EXPECT_EQ(failed.error_code(), "internal");
  EXPECT_EQ(c.get("/healthz").status, 200);
}

TEST_F(HttpApiTest, BadRequestsNameTheField) {
  auto code = license();
  auto endpoints = license({.product = "agent", .unit = sdk::UnitType::endpoints});
  start();
  HttpClient c = http();
  auto expect_bad = [&](const std::string& path, const json::value& body,
                        const std::string& named) {
    SCOPED_TRACE(json::serialize(body));
    auto reply = c.post(path, body);
    EXPECT_EQ(reply.status, 400) << reply.body;
    EXPECT_EQ(reply.error_code(), "bad_request") << reply.body;
    EXPECT_NE(message_of(reply).find(named), std::string::npos) << reply.body;
  };
  const std::string checkout = "/v1/seat/checkout";
  expect_bad(checkout, json::object(), "code");
  expect_bad(checkout, {{"code", 12345}}, "code");
  expect_bad(checkout, {{"code", ""}}, "code");
  expect_bad(checkout, {{"code", std::string(256, '1')}}, "code");
  expect_bad(checkout, {{"code", code}, {"units", "2"}}, "units");
  expect_bad(checkout, {{"code", code}, {"units", -1}}, "units");
  expect_bad(checkout, {{"code", code}, {"units", 0}}, "units");
  expect_bad(checkout, {{"code", code}, {"units", 1000001}}, "units");
  expect_bad(checkout, {{"code", code}, {"units", 1.5}}, "units");
  expect_bad(checkout, {{"code", code}, {"units", 2.0}}, "units");
  expect_bad(checkout, {{"code", code}, {"units", true}}, "units");
  expect_bad(checkout, {{"code", code}, {"units", json::array{1}}}, "units");
  expect_bad(checkout, {{"code", code}, {"wait", 301}}, "wait");
  expect_bad(checkout, {{"code", code}, {"wait", -1}}, "wait");
  expect_bad(checkout, {{"code", code}, {"host", 7}}, "host");
  expect_bad(checkout, {{"code", code}, {"user", json::object()}}, "user");
  expect_bad(checkout, {{"code", code}, {"product", std::string(256, 'p')}}, "product");
  expect_bad("/v1/seat/heartbeat", json::object(), "lease");
  expect_bad("/v1/seat/checkin", {{"lease", 5}}, "lease");
  expect_bad("/v1/seat/activate", {{"host", "h"}}, "code");
  expect_bad("/v1/seat/status", {{"code", code}, {"product", false}}, "product");
  // The family's own rule: an endpoint needs its host.
  expect_bad(checkout, {{"code", endpoints}}, "host");
  // 255 bytes is still a text field; the largest units and wait are accepted.
  auto longest = c.post(
      checkout, {{"code", code}, {"host", std::string(255, 'h')}, {"units", 5}, {"wait", 300}});
  EXPECT_EQ(longest.status, 200) << longest.body;
}

TEST_F(HttpApiTest, BodiesThatAreNotJsonObjectsAreBadRequests) {
  license();
  start();
  HttpClient c = http();
  auto expect_bad = [&](std::string_view body, std::string_view content_type,
                        const std::string& said) {
    SCOPED_TRACE(std::string(body) + " as " + std::string(content_type));
    auto reply = c.request("POST", "/v1/seat/status", body, content_type);
    EXPECT_EQ(reply.status, 400) << reply.body;
    EXPECT_EQ(reply.error_code(), "bad_request") << reply.body;
    EXPECT_NE(message_of(reply).find(said), std::string::npos) << reply.body;
    EXPECT_TRUE(reply.keep_alive);
  };
  expect_bad(R"({"code": "1)", "application/json", "not valid JSON");
  expect_bad(R"({"code": "1",})", "application/json", "not valid JSON");
  expect_bad("[1, 2]", "application/json", "JSON object");
  expect_bad(R"("code")", "application/json", "JSON object");
  expect_bad("null", "application/json", "JSON object");
  expect_bad("", "application/json", "JSON object");
  expect_bad("code=1", "application/x-www-form-urlencoded", "Content-Type");
  expect_bad(R"({"code": "1"})", "text/plain", "Content-Type");
  expect_bad(R"({"code": "1"})", "", "Content-Type");
  // Media types are case-insensitive and may carry parameters.
  auto charset = c.request("POST", "/v1/seat/status", R"({"code": "12345"})",
                           "Application/JSON; charset=utf-8");
  EXPECT_EQ(charset.error_code(), "invalid_code") << charset.body;
}

TEST_F(HttpApiTest, UnknownFieldsAreIgnoredAndNullIsAbsent) {
  auto code = license();
  start();
  HttpClient c = http();
  auto reply = c.post("/v1/seat/checkout", {{"code", code},
                                            {"tag", "x"},
                                            {"colour", json::array{1, 2}},
                                            {"units", nullptr},
                                            {"host", nullptr},
                                            {"lease", 17}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(object_of(reply.json()).at("units"), 1);
  // Fields of other operations are unknown fields here: lease is ignored by status.
  auto status = c.post("/v1/seat/status", {{"code", code}, {"lease", 5}, {"units", "x"}});
  EXPECT_EQ(status.status, 200) << status.body;
}

TEST_F(HttpApiTest, UnknownPathsAndWrongMethods) {
  start();
  HttpClient c = http();
  auto missing = c.get("/v1/nothing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.error_code(), "not_found");
  EXPECT_EQ(c.post("/v1/seat/checkout/", json::object()).status, 404);
  EXPECT_EQ(c.post("/V1/seat/checkout", json::object()).status, 404);

  auto get_checkout = c.get("/v1/seat/checkout");
  EXPECT_EQ(get_checkout.status, 405);
  EXPECT_EQ(get_checkout.error_code(), "method_not_allowed");
  EXPECT_EQ(get_checkout.header("allow"), "POST");
  auto post_health = c.request("POST", "/healthz", "{}");
  EXPECT_EQ(post_health.status, 405);
  EXPECT_EQ(post_health.header("allow"), "GET");
  EXPECT_EQ(c.request("HEAD", "/readyz").status, 405);
  EXPECT_EQ(c.request("DELETE", "/v1/seat/checkin").header("allow"), "POST");
  // The query string is not part of the path.
  EXPECT_EQ(c.get("/healthz?verbose=1").status, 200);
  EXPECT_TRUE(c.get("/healthz").keep_alive);
}

TEST_F(HttpApiTest, HealthAndReadiness) {
  start();
  HttpClient c = http();
  auto health = c.get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.json(), json::value({{"status", "ok"}}));
  auto ready = c.get("/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.json(), json::value({{"status", "ready"}}));
}

TEST_F(HttpApiTest, StoppingAnswersWaitersUnavailableAndReadyzDraining) {
  auto code = license({.units = 1});
  start();
  LineClient holder(server_->port());
  ASSERT_EQ(status_of(holder.request("CHECKOUT code=" + code)), "OK");
  HttpClient c = http();
  // A waiting checkout with a readiness probe pipelined behind it: both were received before
  // the stop, so both are answered during it.
  c.send_raw(request_text("POST", "/v1/seat/checkout",
                          json::serialize(json::value({{"code", code}, {"wait", 30}}))) +
             request_text("GET", "/readyz"));
  EXPECT_FALSE(c.read_reply(std::chrono::milliseconds(300)).has_value());
  std::thread stopper([&] { server_->stop(); });
  auto waited = c.read_reply();
  auto readyz = c.read_reply();
  stopper.join();
  ASSERT_TRUE(waited);
  EXPECT_EQ(waited->status, 503) << waited->body;
  EXPECT_EQ(waited->error_code(), "unavailable");
  ASSERT_TRUE(readyz);
  EXPECT_EQ(readyz->status, 503) << readyz->body;
  EXPECT_EQ(readyz->json(), json::value({{"status", "draining"}}));
  EXPECT_FALSE(readyz->keep_alive);
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpApiTest, KeepAliveServesRequestsInOrderOnOneConnection) {
  auto code = license({.units = 10});
  start();
  HttpClient c = http();
  auto first = c.post("/v1/seat/checkout", {{"code", code}});
  EXPECT_EQ(first.status, 200);
  EXPECT_TRUE(first.keep_alive);
  auto second = c.post("/v1/seat/status", {{"code", code}});
  EXPECT_EQ(object_of(second.json()).at("used"), 1) << second.body;

  // Pipelined: answered in request order, whatever each one waits for.
  std::string burst;
  for (int i = 0; i < 5; ++i) {
    burst +=
        request_text("POST", "/v1/seat/checkout", json::serialize(json::value({{"code", code}})));
    burst += request_text("GET", "/healthz");
  }
  burst += request_text("POST", "/v1/seat/status", json::serialize(json::value({{"code", code}})));
  c.send_raw(burst);
  for (int i = 0; i < 5; ++i) {
    auto checkout = c.read_reply();
    ASSERT_TRUE(checkout) << i;
    EXPECT_TRUE(object_of(checkout->json()).contains("lease")) << checkout->body;
    auto health = c.read_reply();
    ASSERT_TRUE(health) << i;
    EXPECT_EQ(health->json(), json::value({{"status", "ok"}}));
  }
  auto status = c.read_reply();
  ASSERT_TRUE(status);
  EXPECT_EQ(object_of(status->json()).at("used"), 6) << status->body;
}

TEST_F(HttpApiTest, ConnectionCloseAndHttp10EndTheConnection) {
  start();
  {
    HttpClient c = http();
    c.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    auto reply = c.read_reply();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 200);
    EXPECT_FALSE(reply->keep_alive);
    EXPECT_TRUE(c.closed_by_server());
  }
  {
    HttpClient c = http();
    c.send_raw("GET /healthz HTTP/1.0\r\n\r\n");
    auto reply = c.read_reply();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 200);
    EXPECT_TRUE(c.closed_by_server());
  }
  {
    HttpClient c = http();
    c.send_raw("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    auto reply = c.read_reply();
    ASSERT_TRUE(reply);
    EXPECT_TRUE(reply->keep_alive);
    EXPECT_EQ(c.get("/readyz").status, 200);
  }
}

TEST_F(HttpApiTest, BodyOverTheLimitIs413) {
  auto code = license();
  start();
  {
    // Refused from the Content-Length alone, before the body is read.
    HttpClient c = http();
    c.send_raw(
        "POST /v1/seat/status HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 1048577\r\n\r\n" +
        std::string(65536, ' '));
    auto reply = c.read_reply();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 413);
    EXPECT_EQ(reply->error_code(), "payload_too_large");
    EXPECT_FALSE(reply->keep_alive);
    EXPECT_TRUE(c.closed_by_server());
  }
  {
    // Chunked: refused once the chunks pass the limit.
    HttpClient c = http();
    std::string chunk(65536, ' ');
    std::string text =
        "POST /v1/seat/status HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 17; ++i) text += "10000\r\n" + chunk + "\r\n";
    c.send_raw(text);
    auto reply = c.read_reply();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 413);
    EXPECT_TRUE(c.closed_by_server());
  }
  {
    // Exactly 1 MiB is still accepted (padding goes in an ignored field).
    HttpClient c = http();
    std::string body = R"({"code":")" + code + R"(","pad":")";
    body += std::string((1 << 20) - body.size() - 2, 'x') + "\"}";
    ASSERT_EQ(body.size(), 1u << 20);
    auto reply = c.request("POST", "/v1/seat/status", body);
    EXPECT_EQ(reply.status, 200) << reply.body.substr(0, 200);
  }
}

TEST_F(HttpApiTest, ExpectContinueGetsAnInterimAnswer) {
  auto code = license();
  start();
  HttpClient c = http();
  const std::string body = json::serialize(json::value({{"code", code}}));
  c.send_raw(
      "POST /v1/seat/status HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Expect: 100-continue\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n");
  auto interim = c.read_reply();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  c.send_raw(body);
  auto reply = c.read_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200) << reply->body;
}

TEST_F(HttpApiTest, MalformedRequestsAndOversizedHeadersEndTheConnection) {
  start();
  {
    HttpClient c = http();
    c.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') +
               "\r\n\r\n");
    auto reply = c.read_reply();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 431);
    EXPECT_EQ(reply->error_code(), "header_too_large");
    EXPECT_TRUE(c.closed_by_server());
  }
  for (const std::string garbage :
       {"HELLO proto=1\r\n\r\n", "GET /healthz HTTP/1.1\r\nBad Header: x\r\n\r\n",
        "POST /v1/seat/status HTTP/1.1\r\nContent-Length: abc\r\n\r\n"})
    expect_answered_then_closed(http(), garbage, 400, "bad_request");
  for (const std::string version : {"HTTP/2.0", "HTTP/0.9", "HTTP/1.2"})
    expect_answered_then_closed(http(), "GET /healthz " + version + "\r\nHost: x\r\n\r\n", 505,
                                "http_version_not_supported");
  // Others are served on.
  EXPECT_EQ(http().get("/healthz").status, 200);
}

// Lines end in CRLF (RFC 9112); a bare LF is a client bug to be told about plainly, not taken
// for an unknown HTTP version (issue #25.9).
TEST_F(HttpApiTest, BareLineFeedsAreBadRequests) {
  start();
  for (const std::string request :
       {"GET /healthz HTTP/1.1\nHost: x\n\n", "GET /healthz HTTP/1.0\n\n",
        "GET /healthz HTTP/1.1\r\nHost: x\n\n"})
    expect_answered_then_closed(http(), request, 400, "bad_request", "end in CRLF, not a bare LF");
  // An HTTP/2 preface is still an unsupported version.
  expect_answered_then_closed(http(), "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505,
                              "http_version_not_supported");
}

// A JSON body in another character set would be read as UTF-8 and mean something else: it is
// refused, naming the charset (issue #25.9).
TEST_F(HttpApiTest, BodiesInACharsetOtherThanUtf8AreRefusedWith415) {
  license();
  start();
  HttpClient c = http();
  for (const std::string content_type :
       {"application/json; charset=utf-16", "application/json;charset=UTF-16LE",
        "application/json; charset=\"iso-8859-1\"", "application/json; q=1; charset=latin1"}) {
    SCOPED_TRACE(content_type);
    auto reply = c.request("POST", "/v1/seat/status", R"({"code": "12345"})", content_type);
    EXPECT_EQ(reply.status, 415) << reply.body;
    EXPECT_EQ(reply.error_code(), "unsupported_media_type");
    EXPECT_NE(message_of(reply).find("UTF-8"), std::string::npos) << reply.body;
    EXPECT_TRUE(reply.keep_alive);
  }
  for (const std::string content_type :
       {"application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8",
        "application/json; charset=\"utf-8\"", "application/json; foo=bar"}) {
    SCOPED_TRACE(content_type);
    auto reply = c.request("POST", "/v1/seat/status", R"({"code": "12345"})", content_type);
    EXPECT_EQ(reply.error_code(), "invalid_code") << reply.body;
  }
}

TEST_F(HttpApiTest, LeasesAreSharedWithTheSeatProtocol) {
  auto code = license({.units = 2});
  start();
  HttpClient c = http();
  LineClient line(server_->port());

  auto over_http = c.post("/v1/seat/checkout", {{"code", code}, {"host", "h1"}});
  ASSERT_EQ(over_http.status, 200) << over_http.body;
  const std::string http_lease(object_of(over_http.json()).at("lease").get_string());
  server_->advance_seconds(10);
  auto hb = line.request("HEARTBEAT lease=" + http_lease);
  ASSERT_EQ(status_of(hb), "OK") << hb;
  EXPECT_EQ(fields_of(hb)["expires"], std::to_string(kEpochSeconds + 310));
  EXPECT_EQ(fields_of(line.request("STATUS code=" + code))["used"], "1");
  EXPECT_EQ(line.request("CHECKIN lease=" + http_lease), "OK");
  EXPECT_EQ(c.post("/v1/seat/heartbeat", {{"lease", http_lease}}).status, 404);

  auto over_line = fields_of(line.request("CHECKOUT code=" + code + " host=h2"));
  const std::string line_lease = over_line["lease"];
  ASSERT_FALSE(line_lease.empty());
  // The same holder over HTTP gets the same lease back.
  auto again = c.post("/v1/seat/checkout", {{"code", code}, {"host", "h2"}});
  EXPECT_EQ(object_of(again.json()).at("lease"), json::value(line_lease)) << again.body;
  auto http_hb = c.post("/v1/seat/heartbeat", {{"lease", line_lease}});
  EXPECT_EQ(http_hb.status, 200) << http_hb.body;
  EXPECT_EQ(c.post("/v1/seat/checkin", {{"lease", line_lease}}).status, 200);
  EXPECT_EQ(status_of(line.request("HEARTBEAT lease=" + line_lease)), "lease_unknown");
  EXPECT_EQ(object_of(c.post("/v1/seat/status", {{"code", code}}).json()).at("used"), 0);
}

TEST_F(HttpApiTest, InvalidCodesOverTheSeatProtocolRateLimitHttp) {
  config_.limits.invalid_code_burst = 3;
  auto code = license();
  start();
  LineClient line(server_->port());
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(status_of(line.request("CHECKOUT code=" + activation_code::generate())),
              "invalid_code");
  HttpClient c = http();
  for (const std::string path : {"/v1/seat/checkout", "/v1/seat/status", "/v1/seat/activate"}) {
    SCOPED_TRACE(path);
    auto limited = c.post(path, {{"code", code}});
    EXPECT_EQ(limited.status, 429) << limited.body;
    EXPECT_EQ(limited.error_code(), "rate_limited");
    const json::value body = limited.json();
    const auto& error = object_of(object_of(body).at("error"));
    ASSERT_TRUE(error.contains("retry_after")) << limited.body;
    const std::int64_t wait = error.at("retry_after").as_int64();
    EXPECT_GE(wait, 1);
    EXPECT_LE(wait, 61);
    EXPECT_EQ(limited.header("retry-after"), std::to_string(wait));
  }
  // Lease operations are not code guesses.
  EXPECT_EQ(c.post("/v1/seat/heartbeat", {{"lease", "0123"}}).error_code(), "lease_unknown");
  // A malformed request is refused for what it is, before the budget is consulted.
  EXPECT_EQ(c.post("/v1/seat/checkout", json::object()).status, 400);
}

TEST_F(HttpApiTest, InvalidCodesOverHttpRateLimitTheSeatProtocol) {
  config_.limits.invalid_code_burst = 2;
  auto code = license();
  start();
  HttpClient c = http();
  EXPECT_EQ(c.post("/v1/seat/status", {{"code", activation_code::generate()}}).status, 404);
  EXPECT_EQ(c.post("/v1/seat/activate", {{"code", "99999"}}).status, 404);
  EXPECT_EQ(c.post("/v1/seat/checkout", {{"code", code}}).status, 429);
  LineClient line(server_->port());
  auto limited = line.request("CHECKOUT code=" + code);
  EXPECT_EQ(status_of(limited), "rate_limited") << limited;
}

// Issue #25.1 over HTTP: one request at a time per connection, but 40 connections from one
// address asking at once get no more guesses answered than the budget.
TEST_F(HttpApiTest, GuessesFromManyConnectionsOfOneAddressAreLimitedToTheBudget) {
  config_.limits.invalid_code_burst = 5;
  start();
  constexpr int kClients = 40;
  std::latch connected(kClients);
  std::vector<int> statuses(kClients, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      HttpClient c = http();
      connected.arrive_and_wait();
      statuses[i] = c.post("/v1/seat/status", {{"code", activation_code::generate()}}).status;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 404), 5);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 429), kClients - 5);
}

TEST_F(HttpApiTest, ADualStackListenerSharesTheBudgetOfTheIpv4Address) {
  // Over "::" the same client is ::ffff:127.0.0.1; it must not get a second budget.
  config_.admin_listener.address = "::";
  config_.limits.invalid_code_burst = 2;
  auto code = license();
  try {
    start();
  } catch (const std::exception& e) {
    GTEST_SKIP() << "no IPv6 here: " << e.what();
  }
  LineClient line(server_->port());
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(status_of(line.request("STATUS code=" + activation_code::generate())),
              "invalid_code");
  HttpClient c = http();
  EXPECT_EQ(c.post("/v1/seat/status", {{"code", code}}).status, 429);
}

TEST_F(HttpApiTest, WaitIsAnsweredWhenAUnitFrees) {
  auto code = license({.units = 1});
  start();
  LineClient holder(server_->port());
  auto lease = fields_of(holder.request("CHECKOUT code=" + code))["lease"];
  HttpClient waiter = http();
  waiter.send_raw(request_text("POST", "/v1/seat/checkout",
                               json::serialize(json::value({{"code", code}, {"wait", 30}}))));
  EXPECT_FALSE(waiter.read_reply(std::chrono::milliseconds(300)).has_value());
  // Other HTTP connections are served meanwhile.
  EXPECT_EQ(http().get("/healthz").status, 200);
  EXPECT_EQ(holder.request("CHECKIN lease=" + lease), "OK");
  auto answer = waiter.read_reply();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200) << answer->body;
  EXPECT_TRUE(object_of(answer->json()).contains("lease")) << answer->body;
}

// Issue #25.3: a waiting checkout whose client has gone (a seat connection closed, an HTTP
// request whose connection closed) leaves the queue, so no freed unit is granted to nobody.
TEST_F(HttpApiTest, WaitersWhoseClientsLeftTakeNoUnit) {
  auto code = license({.units = 5});
  start();
  LineClient holder(server_->port());
  std::vector<std::string> leases;
  for (int i = 0; i < 5; ++i)
    leases.push_back(fields_of(holder.request("CHECKOUT code=" + code))["lease"]);
  auto queue_length = [this] {
    const std::string metrics = http().get("/metrics").body;
    const std::string name = "\nlmp_wait_queue_length ";
    const auto at = metrics.find(name);
    return at == std::string::npos ? -1 : std::stoi(metrics.substr(at + name.size()));
  };
  auto wait_for_queue = [&](int length) {
    for (int i = 0; i < 500 && queue_length() != length; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return queue_length();
  };
  {
    LineClient seat_waiter(server_->port());
    seat_waiter.send("CHECKOUT code=" + code + " wait=60");
    HttpClient http_waiter = http();
    http_waiter.send_raw(request_text(
        "POST", "/v1/seat/checkout", json::serialize(json::value({{"code", code}, {"wait", 60}}))));
    ASSERT_EQ(wait_for_queue(2), 2);
  }
  // Both clients have closed their connections.
  EXPECT_EQ(wait_for_queue(0), 0);
  ASSERT_EQ(holder.request("CHECKIN lease=" + leases[0]), "OK");
  ASSERT_EQ(holder.request("CHECKIN lease=" + leases[1]), "OK");
  EXPECT_EQ(fields_of(holder.request("STATUS code=" + code))["used"], "3");
  EXPECT_EQ(status_of(holder.request("CHECKOUT code=" + code)), "OK");
  EXPECT_EQ(status_of(holder.request("CHECKOUT code=" + code)), "OK");
}

// A client that only closes the side it sends on is still there to read: its wait ends with an
// answer, no_seats, rather than a unit it might never learn about.
TEST_F(HttpApiTest, AWaiterThatClosesItsSendingSideIsAnsweredNoSeats) {
  auto code = license({.units = 1});
  start();
  LineClient holder(server_->port());
  ASSERT_EQ(status_of(holder.request("CHECKOUT code=" + code)), "OK");
  LineClient waiter(server_->port());
  waiter.send("CHECKOUT code=" + code + " wait=60");
  waiter.shutdown_write();
  auto answer = waiter.read_line();
  ASSERT_TRUE(answer);
  EXPECT_EQ(status_of(*answer), "no_seats");
  EXPECT_EQ(fields_of(*answer)["msg"], "the wait ended: the client closed the connection");
  EXPECT_TRUE(waiter.closed_by_server());
}

TEST_F(HttpApiTest, WaitTimesOutWithNoSeats) {
  auto code = license({.units = 1});
  start();
  HttpClient c = http();
  ASSERT_EQ(c.post("/v1/seat/checkout", {{"code", code}}).status, 200);
  c.send_raw(request_text("POST", "/v1/seat/checkout",
                          json::serialize(json::value({{"code", code}, {"wait", 5}}))));
  EXPECT_FALSE(c.read_reply(std::chrono::milliseconds(200)).has_value());
  server_->advance_seconds(5);
  auto answer = c.read_reply();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 409);
  EXPECT_EQ(answer->error_code(), "no_seats");
}

TEST_F(HttpApiTest, IdleConnectionsAreClosed) {
  config_.limits.idle_timeout_seconds = 1;
  start();
  HttpClient c = http();
  EXPECT_EQ(c.get("/healthz").status, 200);
  EXPECT_TRUE(c.closed_by_server(std::chrono::seconds(5)));
}

TEST_F(HttpApiTest, ConnectionsOverTheLimitAreRefusedWith503) {
  config_.limits.max_connections = 1;
  start();
  HttpClient first = http();
  EXPECT_EQ(first.get("/healthz").status, 200);
  HttpClient second = http();
  expect_refused_with_503(second, "too many connections, retry later");
  EXPECT_EQ(first.get("/healthz").status, 200);
}

TEST_F(HttpApiTest, ConnectionsOverThePerAddressLimitAreRefusedWith503) {
  config_.limits.max_connections_per_address = 2;
  start();
  HttpClient first = http();
  HttpClient second = http();
  EXPECT_EQ(first.get("/healthz").status, 200);
  EXPECT_EQ(second.get("/healthz").status, 200);
  HttpClient third = http();
  expect_refused_with_503(third, "too many connections from this address, retry later");
  EXPECT_EQ(first.get("/healthz").status, 200);
}

TEST_F(HttpApiTest, ClientThatDoesNotReadIsDropped) {
  config_.limits.send_timeout_seconds = 1;
  start();
  // Pipelined requests whose responses are never read: once the socket buffers are full, a
  // response waits, and after the send timeout the connection is dropped. /metrics answers with
  // kilobytes, so a few megabytes of socket buffers fill quickly even on a slow (sanitized) lmpd.
  LineClient raw(server_->admin_port());
  std::string burst;
  for (int i = 0; i < 2000; ++i) burst += request_text("GET", "/metrics");
  bool dropped = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!dropped && std::chrono::steady_clock::now() < deadline)
    dropped = !raw.send_some(burst, std::chrono::milliseconds(200));
  EXPECT_TRUE(dropped);
  HttpClient other = http();
  EXPECT_EQ(other.get("/healthz").status, 200);
}

TEST_F(HttpApiTest, TheListenerCanBeDisabled) {
  config_.admin_listener.enabled = false;
  server_ = std::make_unique<TestServer>(config_);
  EXPECT_EQ(server_->admin_port(), 0);
  LineClient line(server_->port());
  EXPECT_EQ(line.request("PING"), "OK");
}

}  // namespace
}  // namespace lmp::test
