// TLS on both listeners through real sockets: the seat protocol and the HTTP routes over TLS,
// plain clients and silent peers against a TLS listener, client-certificate authentication, and
// certificate rotation with SIGHUP in a real lmpd process.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "domain/first_run.hpp"
#include "storage/sql_unit_of_work.hpp"
#include "support/daemon_process.hpp"
#include "support/line_client.hpp"
#include "support/test_certificates.hpp"
#include "support/test_server.hpp"
#include "support/tls_client.hpp"

namespace lmp::test {
namespace {

std::string http_request(std::string_view method, std::string_view target, std::string_view body,
                         const std::string& token = "") {
  std::string text = std::string(method) + " " + std::string(target) +
                     " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
  if (!token.empty()) text += "Authorization: Bearer " + token + "\r\n";
  if (!body.empty())
    text +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  return text + "\r\n" + std::string(body);
}

class TlsTest : public ::testing::Test {
 protected:
  TlsTest() : ca_(dir_.path(), "lmpd"), server_cert_(ca_.issue("server", "lmpd.test", 100)) {
    config_ = base_config(dir_.path());
    config::Tls tls;
    tls.certificate_file = server_cert_.certificate.string();
    tls.private_key_file = server_cert_.key.string();
    config_.seat_listener.tls = tls;
    config_.admin_listener.tls = tls;
  }

  void start() { server_ = std::make_unique<TestServer>(config_); }
  TlsClientOptions verified() const { return {ca_.certificate().string(), "", ""}; }

  // One HTTP exchange over TLS (verifying the server), the raw response.
  std::string https(std::string_view method, std::string_view target, std::string_view body = {},
                    const std::string& token = "") {
    TlsClient client(server_->admin_port(), verified());
    EXPECT_EQ(client.handshake_error(), "");
    client.send_raw(http_request(method, target, body, token));
    return client.read_to_end();
  }

  TempDir dir_;
  TestCa ca_;
  IssuedCertificate server_cert_;
  config::Config config_;
  std::unique_ptr<TestServer> server_;
};

TEST_F(TlsTest, ChecksOutHeartbeatsAndChecksInOverTls) {
  auto code = create_license(config_, {});
  start();
  TlsClient client(server_->port(), verified());
  ASSERT_EQ(client.handshake_error(), "");
  EXPECT_EQ(client.server_serial(), "64");  // 100
  EXPECT_EQ(status_of(client.request("HELLO proto=1")), "OK");
  auto checkout = client.request("CHECKOUT code=" + code + " user=ann host=pc1");
  ASSERT_EQ(status_of(checkout), "OK") << checkout;
  auto lease = fields_of(checkout).at("lease");
  EXPECT_EQ(status_of(client.request("HEARTBEAT lease=" + lease)), "OK");
  // Pipelined requests are answered in order inside TLS as well.
  client.send_raw("PING\nSTATUS code=" + code + "\n");
  EXPECT_EQ(client.read_line().value_or(""), "OK");
  EXPECT_EQ(fields_of(client.read_line().value_or("")).at("used"), "1");
  EXPECT_EQ(status_of(client.request("CHECKIN lease=" + lease)), "OK");
  EXPECT_EQ(client.request("QUIT"), "OK");
}

TEST_F(TlsTest, PlainClientOfTheTlsListenerIsClosedWithoutHarmingOthers) {
  start();
  TlsClient good(server_->port(), verified());
  ASSERT_EQ(good.handshake_error(), "");
  LineClient plain(server_->port());
  plain.send("PING");
  auto answer = plain.read_line(std::chrono::seconds(5));
  EXPECT_NE(answer.value_or(""), "OK");
  EXPECT_TRUE(plain.closed_by_server());
  EXPECT_EQ(good.request("PING"), "OK");
  auto metrics = https("GET", "/metrics");
  EXPECT_NE(metrics.find(R"(lmp_tls_handshake_failures_total{listener="seat",reason="not_tls"} 1)"),
            std::string::npos)
      << metrics;
}

TEST_F(TlsTest, SilentPeerIsCutAtTheHandshakeTimeout) {
  config_.limits.tls_handshake_timeout_seconds = 1;
  start();
  LineClient silent(server_->port());
  EXPECT_TRUE(silent.closed_by_server(std::chrono::seconds(10)));
  LineClient silent_http(server_->admin_port());
  EXPECT_TRUE(silent_http.closed_by_server(std::chrono::seconds(10)));
  TlsClient good(server_->port(), verified());
  EXPECT_EQ(good.request("PING"), "OK");
}

TEST_F(TlsTest, ConnectionLimitsHoldInsideTls) {
  config_.limits.max_connections_per_address = 1;
  config_.limits.idle_timeout_seconds = 1;
  start();
  {
    TlsClient first(server_->port(), verified());
    ASSERT_EQ(first.request("PING"), "OK");
    // Over the limit: closed at once, without a plain-text answer a TLS client could not read.
    TlsClient second(server_->port(), verified());
    EXPECT_EQ(second.request("PING"), "<no answer>");
    // Idle inside TLS: closed like a plain connection.
    EXPECT_EQ(first.read_line(std::chrono::seconds(10)), std::nullopt);
  }
  TlsClient again(server_->port(), verified());
  EXPECT_EQ(again.request("PING"), "OK");
}

// Peers that connect and never start their handshake (or a slowloris on TLS) hold slots only
// until the listener is full: then the one that has waited longest makes room (issue #25.2).
TEST_F(TlsTest, SilentPeersMakeRoomForAClientWhenTheListenerIsFull) {
  config_.limits.max_connections = 3;
  start();
  std::vector<std::unique_ptr<LineClient>> silent;
  for (int i = 0; i < 3; ++i) silent.push_back(std::make_unique<LineClient>(server_->port()));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  TlsClient client(server_->port(), verified());
  ASSERT_EQ(client.handshake_error(), "");
  EXPECT_EQ(client.request("PING"), "OK");
  EXPECT_TRUE(silent.front()->closed_by_server());
}

TEST_F(TlsTest, MinimumVersionRefusesOlderClients) {
  TlsClientOptions tls12 = verified();
  tls12.tls12_only = true;
  config_.admin_listener.tls->min_version = "1.3";
  start();
  TlsClient on_seat(server_->port(), tls12);  // the seat listener keeps the default, 1.2
  ASSERT_EQ(on_seat.handshake_error(), "");
  EXPECT_EQ(on_seat.request("PING"), "OK");
  TlsClient on_admin(server_->admin_port(), tls12);
  EXPECT_NE(on_admin.handshake_error(), "");
  EXPECT_EQ(http_status_of(https("GET", "/healthz")), 200);  // TLS 1.3 is served
}

TEST_F(TlsTest, ClientVerifyingAgainstAnotherCaRefusesTheServer) {
  start();
  TestCa other(dir_.path(), "other");
  TlsClient client(server_->port(), {other.certificate().string(), "", ""});
  EXPECT_NE(client.handshake_error(), "");
  EXPECT_NE(client.handshake_error().find("certificate verify failed"), std::string::npos)
      << client.handshake_error();
  TlsClient good(server_->port(), verified());  // the listener goes on serving
  EXPECT_EQ(good.request("PING"), "OK");
  EXPECT_NE(
      https("GET", "/metrics")
          .find(
              R"(lmp_tls_handshake_failures_total{listener="seat",reason="server_certificate_refused"} 1)"),
      std::string::npos);
}

TEST_F(TlsTest, RequiredClientCertificateRefusesPeersWithoutAGoodOne) {
  TestCa clients(dir_.path(), "clients");
  TestCa stranger(dir_.path(), "stranger");
  config_.seat_listener.tls->client_ca_file = clients.certificate().string();
  config_.seat_listener.tls->require_client_certificate = true;
  auto code = create_license(config_, {});
  start();
  auto good = clients.issue("endpoint", "endpoint-1", 7);
  auto forged = stranger.issue("forged", "endpoint-1", 7);

  TlsClient without(server_->port(), verified());
  EXPECT_EQ(without.request("PING"), "<no answer>");
  TlsClient other_ca(server_->port(), {ca_.certificate().string(), forged.certificate.string(),
                                       forged.key.string()});
  EXPECT_EQ(other_ca.request("PING"), "<no answer>");
  TlsClient with(server_->port(),
                 {ca_.certificate().string(), good.certificate.string(), good.key.string()});
  ASSERT_EQ(with.handshake_error(), "");
  EXPECT_EQ(status_of(with.request("CHECKOUT code=" + code)), "OK");

  auto metrics = https("GET", "/metrics");
  EXPECT_NE(
      metrics.find(
          R"(lmp_tls_handshake_failures_total{listener="seat",reason="no_client_certificate"} 1)"),
      std::string::npos)
      << metrics;
  EXPECT_NE(
      metrics.find(
          R"(lmp_tls_handshake_failures_total{listener="seat",reason="bad_client_certificate"} 1)"),
      std::string::npos)
      << metrics;
}

TEST_F(TlsTest, HttpSeatRoutesAndTheAdminApiOverTls) {
  auto code = create_license(config_, {});
  std::string token;
  {
    auto db = storage::open_unit_of_work(config_.storage);
    token = domain::initialise(*db, "parent", "admin", kTestEpochMs).token;
  }
  start();
  auto checkout = https("POST", "/v1/seat/checkout", R"({"code":")" + code + R"("})");
  EXPECT_EQ(http_status_of(checkout), 200) << checkout;
  EXPECT_NE(http_body_of(checkout).find("\"lease\""), std::string::npos) << checkout;
  auto customers = https("GET", "/v1/customers", {}, token);
  EXPECT_EQ(http_status_of(customers), 200) << customers;
  EXPECT_NE(http_body_of(customers).find("acme"), std::string::npos) << customers;
  EXPECT_EQ(http_status_of(https("GET", "/readyz")), 200);

  // Plain HTTP to the HTTPS listener gets no HTTP answer, and the listener goes on serving.
  LineClient plain(server_->admin_port());
  plain.send_raw(http_request("GET", "/readyz", {}));
  EXPECT_NE(plain.read_line(std::chrono::seconds(5)).value_or("").rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_EQ(http_status_of(https("GET", "/healthz")), 200);
}

TEST_F(TlsTest, BrokenCertificateFilesAreStartupErrorsNamingTheFile) {
  std::ofstream(dir_.path() / "garbage.pem") << "not a certificate\n";
  config_.seat_listener.tls->certificate_file = (dir_.path() / "garbage.pem").string();
  try {
    start();
    FAIL() << "started with a garbage certificate";
  } catch (const app::StartupError& e) {
    EXPECT_NE(std::string(e.what()).find("listeners.seat.tls.certificate: " +
                                         (dir_.path() / "garbage.pem").string()),
              std::string::npos)
        << e.what();
  }
  auto other = ca_.issue("other", "other", 5);
  config_.seat_listener.tls->certificate_file = server_cert_.certificate.string();
  config_.seat_listener.tls->private_key_file = other.key.string();
  config_.admin_listener.tls->private_key_file = (dir_.path() / "missing.pem").string();
  auto problems = app::check_config_and_plugins(config_);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("is not the key of the certificate"), std::string::npos)
      << problems[0];
  EXPECT_NE(problems[1].find("listeners.admin.tls.private_key: cannot read"), std::string::npos)
      << problems[1];
}

// SIGHUP in a real lmpd: new connections get the new certificate, an open one goes on, and a
// broken certificate leaves the previous one serving.
TEST(TlsReloadTest, SighupRotatesTheCertificateWithoutDroppingConnections) {
  TempDir dir;
  TestCa ca(dir.path(), "lmpd");
  ca.issue("server", "first.lmpd.test", 100);
  const auto config_path = dir.path() / "lmpd.yaml";
  const auto log_path = dir.path() / "lmpd.log";
  std::ofstream(config_path) << "listeners:\n  seat:\n    address: 127.0.0.1\n    port: 0\n"
                                "    tls:\n      certificate: server.pem\n"
                                "      private_key: server-key.pem\n"
                                "  admin:\n    enabled: false\n"
                                "storage:\n  sqlite:\n    path: lmpd.db\n"
                                "plugins:\n  directory: " LMP_TEST_PLUGIN_DIR
                                "\n"
                                "products:\n  - code: cad\n    name: CAD\n    family: software\n"
                                "    unit: seats\n";
  auto created =
      run_command({LMP_TEST_LMPD_BINARY, "admin", "--config", config_path.string(),
                   "create-license", "--customer", "acme", "--product", "cad", "--units", "3"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  auto code = created.out.substr(created.out.find("activation code: ") + 17, 23);
  DaemonProcess lmpd(config_path, log_path);
  const TlsClientOptions verified{ca.certificate().string(), "", ""};
  auto count_in_log = [&](const std::string& needle) {
    auto text = read_file(log_path);
    std::size_t count = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
      ++count;
    return count;
  };
  auto wait_for_log = [&](const std::string& needle, std::size_t count) {
    for (int i = 0; i < 1000 && count_in_log(needle) < count; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return count_in_log(needle) >= count;
  };

  TlsClient before(lmpd.port(), verified);
  ASSERT_EQ(before.handshake_error(), "");
  EXPECT_EQ(before.server_serial(), "64");
  auto checkout = before.request("CHECKOUT code=" + code + " user=ann");
  ASSERT_EQ(status_of(checkout), "OK") << checkout;
  auto lease = fields_of(checkout).at("lease");

  auto rotated = ca.issue("server", "second.lmpd.test", 200);  // same files, new contents
  lmpd.signal(SIGHUP);
  ASSERT_TRUE(wait_for_log("event=reloaded", 1)) << read_file(log_path);
  EXPECT_TRUE(wait_for_log("serial=C8", 1)) << read_file(log_path);
  TlsClient after(lmpd.port(), verified);
  ASSERT_EQ(after.handshake_error(), "");
  EXPECT_EQ(after.server_serial(), "C8");
  EXPECT_NE(after.server_subject().find("second.lmpd.test"), std::string::npos);
  EXPECT_EQ(status_of(before.request("HEARTBEAT lease=" + lease)), "OK");
  EXPECT_EQ(status_of(after.request("HEARTBEAT lease=" + lease)), "OK");

  // A key that does not belong to the certificate: refused, the rotated certificate stays.
  auto stray = ca.issue("stray", "stray", 300);
  std::filesystem::copy_file(stray.key, dir.path() / "server-key.pem",
                             std::filesystem::copy_options::overwrite_existing);
  lmpd.signal(SIGHUP);
  ASSERT_TRUE(wait_for_log("event=reload_failed", 1)) << read_file(log_path);
  EXPECT_NE(read_file(log_path).find((dir.path() / "server-key.pem").string()), std::string::npos);
  TlsClient kept(lmpd.port(), verified);
  ASSERT_EQ(kept.handshake_error(), "");
  EXPECT_EQ(kept.server_serial(), "C8");
  EXPECT_EQ(status_of(before.request("CHECKIN lease=" + lease)), "OK");
  EXPECT_EQ(rotated.serial, "C8");
}

}  // namespace
}  // namespace lmp::test
