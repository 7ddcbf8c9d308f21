// The client library's C API against a real lmpd process: heartbeats past the lease duration,
// resume after a server restart, failover, re-checkout of a lapsed lease, wait, status,
// activation, bad input, concurrent use of one client, and all of it over TLS (server
// verification, client certificates).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "lmp/client/client.h"
#include "support/daemon_process.hpp"
#include "support/line_client.hpp"
#include "support/lmpd_instance.hpp"
#include "support/test_certificates.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

struct ClientDeleter {
  void operator()(lmp_client* c) const { lmp_client_free(c); }
};
struct LeaseDeleter {
  void operator()(lmp_lease* l) const { lmp_lease_free(l); }
};
using ClientPtr = std::unique_ptr<lmp_client, ClientDeleter>;
using LeasePtr = std::unique_ptr<lmp_lease, LeaseDeleter>;

ClientPtr new_client(const std::string& servers) {
  lmp_client* c = nullptr;
  EXPECT_EQ(lmp_client_new(servers.c_str(), &c), LMP_OK) << lmp_last_error();
  // Anonymous: every checkout is a unit of its own, so a second unit taken would show in STATUS.
  EXPECT_EQ(lmp_client_set_identity(c, "", ""), LMP_OK);
  EXPECT_EQ(lmp_client_set_timeout_ms(c, 2000), LMP_OK);
  return ClientPtr(c);
}

std::string lease_id(const lmp_lease* lease) {
  char id[256];
  EXPECT_EQ(lmp_lease_id(lease, id, sizeof id), LMP_OK);
  return id;
}

class ClientLibraryTest : public ::testing::Test {
 protected:
  ClientLibraryTest() : lmpd_(dir_.path()) {}
  void SetUp() override {
    code_ = lmpd_.create_license(2);
    lmpd_.start();
  }
  LeasePtr checkout(lmp_client* client, std::uint32_t flags = 0, std::uint32_t wait = 0) {
    lmp_lease* lease = nullptr;
    lmp_result r = lmp_client_checkout(client, code_.c_str(), nullptr, 1, wait, flags, &lease);
    EXPECT_EQ(r, LMP_OK) << lmp_last_error();
    return LeasePtr(lease);
  }

  TempDir dir_;
  LmpdInstance lmpd_;
  std::string code_;
};

TEST_F(ClientLibraryTest, BackgroundHeartbeatsKeepTheLeasePastItsDuration) {
  auto client = new_client(lmpd_.address());
  auto lease = checkout(client.get());
  ASSERT_TRUE(lease);
  const auto id = lease_id(lease.get());
  auto first_expiry = lmp_lease_expires(lease.get());
  // The lease lasts 10 s; without heartbeats the server would have reclaimed it by then.
  std::this_thread::sleep_for(std::chrono::seconds(13));
  EXPECT_EQ(lmp_lease_state(lease.get()), LMP_OK);
  EXPECT_EQ(lease_id(lease.get()), id);  // heartbeated, not lapsed and taken anew
  EXPECT_GT(lmp_lease_expires(lease.get()), first_expiry);
  EXPECT_EQ(lmpd_.units_in_use(code_), 1);
  LineClient c(lmpd_.port());
  EXPECT_EQ(status_of(c.request("HEARTBEAT lease=" + lease_id(lease.get()))), "OK");

  EXPECT_EQ(lmp_lease_checkin(lease.get()), LMP_OK) << lmp_last_error();
  EXPECT_EQ(lmpd_.units_in_use(code_), 0);
  EXPECT_EQ(lmp_lease_heartbeat(lease.get()), LMP_ERR_LEASE_UNKNOWN);
}

TEST_F(ClientLibraryTest, ServerKilledAndRestartedMidLeaseResumesTheSameLease) {
  auto client = new_client(lmpd_.address());
  auto lease = checkout(client.get(), LMP_CHECKOUT_MANUAL_HEARTBEAT);
  ASSERT_TRUE(lease);
  const auto id = lease_id(lease.get());
  ASSERT_EQ(lmp_lease_heartbeat(lease.get()), LMP_OK) << lmp_last_error();

  lmpd_.kill_hard();
  EXPECT_EQ(lmp_lease_heartbeat(lease.get()), LMP_ERR_UNREACHABLE);
  EXPECT_NE(std::string(lmp_last_error()).find(lmpd_.address()), std::string::npos)
      << lmp_last_error();
  EXPECT_EQ(lmp_lease_state(lease.get()), LMP_ERR_UNREACHABLE);
  EXPECT_LE(lmp_lease_next_heartbeat_ms(lease.get()), 2000u);

  lmpd_.start();
  // The idle connection to the dead server is noticed and replaced; the lease is the same one.
  ASSERT_EQ(lmp_lease_heartbeat(lease.get()), LMP_OK) << lmp_last_error();
  EXPECT_EQ(lease_id(lease.get()), id);
  EXPECT_EQ(lmp_lease_state(lease.get()), LMP_OK);
  EXPECT_EQ(lmpd_.units_in_use(code_), 1);
  EXPECT_EQ(lmp_lease_checkin(lease.get()), LMP_OK);
  EXPECT_EQ(lmpd_.units_in_use(code_), 0);
}

TEST_F(ClientLibraryTest, BackgroundHeartbeatsPickTheLeaseUpAfterARestart) {
  auto client = new_client(lmpd_.address());
  auto lease = checkout(client.get());
  ASSERT_TRUE(lease);
  const auto id = lease_id(lease.get());
  lmpd_.kill_hard();
  auto wait_for_state = [&](lmp_result wanted) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (lmp_lease_state(lease.get()) != wanted && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return lmp_lease_state(lease.get());
  };
  ASSERT_EQ(wait_for_state(LMP_ERR_UNREACHABLE), LMP_ERR_UNREACHABLE);
  lmpd_.start();
  ASSERT_EQ(wait_for_state(LMP_OK), LMP_OK);
  EXPECT_EQ(lease_id(lease.get()), id);
  EXPECT_EQ(lmpd_.units_in_use(code_), 1);
}

TEST_F(ClientLibraryTest, ALeaseTheServerNoLongerKnowsIsTakenAnewWithoutASecondUnit) {
  auto client = new_client(lmpd_.address());
  auto lease = checkout(client.get(), LMP_CHECKOUT_MANUAL_HEARTBEAT);
  ASSERT_TRUE(lease);
  const auto id = lease_id(lease.get());
  // As if it lapsed while no server answered: the server has forgotten it.
  LineClient c(lmpd_.port());
  ASSERT_EQ(c.request("CHECKIN lease=" + id), "OK");
  ASSERT_EQ(lmp_lease_heartbeat(lease.get()), LMP_OK) << lmp_last_error();
  EXPECT_NE(lease_id(lease.get()), id);
  EXPECT_EQ(lmpd_.units_in_use(code_), 1);

  // And when no unit is free by then, the lease is reported lost.
  ASSERT_EQ(c.request("CHECKIN lease=" + lease_id(lease.get())), "OK");
  ASSERT_EQ(status_of(c.request("CHECKOUT code=" + code_ + " units=2")), "OK");
  EXPECT_EQ(lmp_lease_heartbeat(lease.get()), LMP_ERR_LEASE_LOST);
  EXPECT_EQ(lmp_lease_state(lease.get()), LMP_ERR_LEASE_LOST);
}

// An administrator's release: the endpoint is told (LMP_ERR_LEASE_REVOKED, with the reason) and
// the library does not take the seat again, neither at once nor after the server forgot it.
TEST_F(ClientLibraryTest, ALeaseTakenBackIsReportedAndNotTakenAgain) {
  auto client = new_client(lmpd_.address());
  auto manual = checkout(client.get(), LMP_CHECKOUT_MANUAL_HEARTBEAT);
  auto background = checkout(client.get());
  ASSERT_TRUE(manual && background);
  ASSERT_EQ(lmpd_.release_all_leases("moved"), 2);
  EXPECT_EQ(lmpd_.units_in_use(code_), 0);

  EXPECT_EQ(lmp_lease_heartbeat(manual.get()), LMP_ERR_LEASE_REVOKED);
  EXPECT_NE(std::string(lmp_last_error()).find("moved"), std::string::npos) << lmp_last_error();
  EXPECT_EQ(lmp_lease_state(manual.get()), LMP_ERR_LEASE_REVOKED);
  EXPECT_STREQ(lmp_result_name(LMP_ERR_LEASE_REVOKED), "lease_revoked");
  // The background heartbeats (every 2 s here) learn it too.
  for (int i = 0; i < 100 && lmp_lease_state(background.get()) != LMP_ERR_LEASE_REVOKED; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(lmp_lease_state(background.get()), LMP_ERR_LEASE_REVOKED);
  // Past the lease duration (10 s) the server no longer knows the ids: still nothing taken.
  std::this_thread::sleep_for(std::chrono::seconds(11));
  EXPECT_EQ(lmp_lease_heartbeat(manual.get()), LMP_ERR_LEASE_REVOKED);
  EXPECT_EQ(lmpd_.units_in_use(code_), 0);
  EXPECT_EQ(lmp_lease_checkin(manual.get()), LMP_OK);
}

TEST_F(ClientLibraryTest, FailsOverToTheNextServerWhenTheFirstIsDown) {
  const std::string dead = "127.0.0.1:" + std::to_string(unused_port());
  auto client = new_client(dead + "," + lmpd_.address());
  EXPECT_EQ(lmp_client_ping(client.get()), LMP_OK) << lmp_last_error();
  auto lease = checkout(client.get(), LMP_CHECKOUT_MANUAL_HEARTBEAT);
  ASSERT_TRUE(lease);
  EXPECT_EQ(lmp_lease_heartbeat(lease.get()), LMP_OK) << lmp_last_error();
  EXPECT_EQ(lmpd_.units_in_use(code_), 1);

  auto only_dead = new_client(dead);
  lmp_lease* none = nullptr;
  EXPECT_EQ(lmp_client_checkout(only_dead.get(), code_.c_str(), nullptr, 1, 0, 0, &none),
            LMP_ERR_UNREACHABLE);
  EXPECT_EQ(none, nullptr);
  EXPECT_NE(std::string(lmp_last_error()).find(dead), std::string::npos) << lmp_last_error();
}

TEST_F(ClientLibraryTest, NoFreeUnitIsNoSeatsAndWaitGetsTheUnitThatFrees) {
  auto client = new_client(lmpd_.address());
  auto a = checkout(client.get());
  auto b = checkout(client.get());
  ASSERT_TRUE(a && b);
  lmp_lease* third = nullptr;
  EXPECT_EQ(lmp_client_checkout(client.get(), code_.c_str(), nullptr, 1, 0, 0, &third),
            LMP_ERR_NO_SEATS);
  EXPECT_NE(std::string(lmp_last_error()).find("no_seats"), std::string::npos);

  std::atomic<lmp_result> waited{LMP_ERR_SERVER};
  std::thread waiter([&] {
    waited = lmp_client_checkout(client.get(), code_.c_str(), nullptr, 1, 20, 0, &third);
  });
  // The waiting checkout has a connection of its own: the same client still answers meanwhile.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  lmp_license_status status{};
  EXPECT_EQ(lmp_client_status(client.get(), code_.c_str(), nullptr, &status), LMP_OK);
  EXPECT_EQ(status.used, 2u);
  EXPECT_EQ(lmp_lease_checkin(a.get()), LMP_OK);
  waiter.join();
  EXPECT_EQ(waited.load(), LMP_OK) << lmp_last_error();
  LeasePtr c(third);
  EXPECT_EQ(lmpd_.units_in_use(code_), 2);
}

TEST_F(ClientLibraryTest, StatusAndActivateFillTheirStructs) {
  auto client = new_client(lmpd_.address());
  ASSERT_EQ(lmp_client_set_identity(client.get(), "ws-17", "ann"), LMP_OK);
  lmp_activation activation{};
  ASSERT_EQ(lmp_client_activate(client.get(), code_.c_str(), &activation), LMP_OK)
      << lmp_last_error();
  EXPECT_STREQ(activation.product, "cad");
  EXPECT_STREQ(activation.family, "software");
  EXPECT_STREQ(activation.unit, "seats");
  EXPECT_EQ(activation.units, 2u);
  EXPECT_GT(activation.license_id, 0);

  auto lease = checkout(client.get());
  lmp_license_status status{};
  ASSERT_EQ(lmp_client_status(client.get(), code_.c_str(), "cad", &status), LMP_OK);
  EXPECT_STREQ(status.state, "active");
  EXPECT_EQ(status.units, 2u);
  EXPECT_EQ(status.used, 1u);
  EXPECT_EQ(status.free_units, 1u);

  // The same holder checking out again gets its own lease back: no second unit.
  auto again = checkout(client.get());
  EXPECT_EQ(lease_id(again.get()), lease_id(lease.get()));
  EXPECT_EQ(lmpd_.units_in_use(code_), 1);

  EXPECT_EQ(lmp_client_status(client.get(), "12345-12345-12345-12345", nullptr, &status),
            LMP_ERR_INVALID_CODE);
  EXPECT_EQ(lmp_client_status(client.get(), code_.c_str(), "nope", &status),
            LMP_ERR_PRODUCT_NOT_LICENSED);
}

TEST_F(ClientLibraryTest, IdentitiesWithSpacesAndEscapesTravelIntact) {
  auto client = new_client(lmpd_.address());
  // Space, '=', '%' and a non-ASCII byte must be percent-encoded, or the line is malformed.
  ASSERT_EQ(lmp_client_set_identity(client.get(), "ws 17=a", "ann%20\xc3\xa9"), LMP_OK);
  lmp_activation activation{};
  ASSERT_EQ(lmp_client_activate(client.get(), code_.c_str(), &activation), LMP_OK)
      << lmp_last_error();
  auto lease = checkout(client.get());
  auto again = checkout(client.get());
  ASSERT_TRUE(lease && again);
  // The server decoded the same holder both times.
  EXPECT_EQ(lease_id(again.get()), lease_id(lease.get()));
  EXPECT_EQ(lmpd_.units_in_use(code_), 1);
}

TEST_F(ClientLibraryTest, AHolderKeyKeepsTheHoldersLeaseFromOtherClients) {
  auto holder = new_client(lmpd_.address());
  ASSERT_EQ(lmp_client_set_identity(holder.get(), "ws-17", "ann"), LMP_OK);
  ASSERT_EQ(lmp_client_set_holder_key(holder.get(), nullptr), LMP_OK) << lmp_last_error();
  auto lease = checkout(holder.get(), LMP_CHECKOUT_MANUAL_HEARTBEAT);
  ASSERT_TRUE(lease);
  // The client's own repeated checkout is the same holder: the same lease, no second unit.
  auto again = checkout(holder.get(), LMP_CHECKOUT_MANUAL_HEARTBEAT);
  ASSERT_TRUE(again);
  EXPECT_EQ(lease_id(again.get()), lease_id(lease.get()));
  // Another client naming the same holder, with a key of its own or none, is refused.
  for (const char* key : {static_cast<const char*>(nullptr), ""}) {
    auto other = new_client(lmpd_.address());
    ASSERT_EQ(lmp_client_set_identity(other.get(), "ws-17", "ann"), LMP_OK);
    ASSERT_EQ(lmp_client_set_holder_key(other.get(), key), LMP_OK);
    lmp_lease* taken = nullptr;
    EXPECT_EQ(lmp_client_checkout(other.get(), code_.c_str(), nullptr, 1, 0,
                                  LMP_CHECKOUT_MANUAL_HEARTBEAT, &taken),
              LMP_ERR_NO_SEATS);
    EXPECT_EQ(taken, nullptr);
  }
  EXPECT_EQ(lmpd_.units_in_use(code_), 1);
  EXPECT_EQ(lmp_client_set_holder_key(holder.get(), "too short"), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lmp_client_set_holder_key(nullptr, ""), LMP_ERR_INVALID_ARGUMENT);
}

TEST_F(ClientLibraryTest, BadArgumentsGetClearErrors) {
  lmp_client* c = nullptr;
  EXPECT_EQ(lmp_client_new("127.0.0.1:99999", &c), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(lmp_last_error()).find("1 to 65535"), std::string::npos);
  EXPECT_EQ(c, nullptr);
  EXPECT_EQ(lmp_client_new("a:1,,b:2", &c), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lmp_client_new("::1:27400", &c), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lmp_client_new("tls://lic.example.org:0", &c), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lmp_client_new("tls://", &c), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lmp_client_new(nullptr, &c), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lmp_client_new("[::1]:27400, 127.0.0.1", &c), LMP_OK);
  ClientPtr client(c);
  EXPECT_EQ(lmp_client_set_timeout_ms(c, 0), LMP_ERR_INVALID_ARGUMENT);
  lmp_lease* lease = nullptr;
  EXPECT_EQ(lmp_client_checkout(c, "", nullptr, 1, 0, 0, &lease), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lmp_client_checkout(c, code_.c_str(), nullptr, 1, 0, 1u << 7, &lease),
            LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lmp_client_checkout(nullptr, code_.c_str(), nullptr, 1, 0, 0, &lease),
            LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lmp_lease_heartbeat(nullptr), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(lmp_result_name(LMP_ERR_NO_SEATS), "no_seats");
  lmp_lease_free(nullptr);
  lmp_client_free(nullptr);
}

TEST_F(ClientLibraryTest, OneClientServesManyThreads) {
  auto client = new_client(lmpd_.address());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        lmp_lease* lease = nullptr;
        lmp_result r = lmp_client_checkout(client.get(), code_.c_str(), nullptr, 1, 10, 0, &lease);
        if (r != LMP_OK || lmp_lease_checkin(lease) != LMP_OK) ++failures;
        lmp_lease_free(lease);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(lmpd_.units_in_use(code_), 0);
}

// A TLS seat listener that requires client certificates from the `clients` CA.
std::string seat_tls_yaml(const IssuedCertificate& server, const TestCa& clients) {
  return "      certificate: " + server.certificate.string() +
         "\n      private_key: " + server.key.string() +
         "\n      client_ca: " + clients.certificate().string() +
         "\n      require_client_certificate: true\n";
}

class ClientLibraryTlsTest : public ::testing::Test {
 protected:
  ClientLibraryTlsTest()
      : ca_(dir_.path(), "lmpd"),
        clients_(dir_.path(), "clients"),
        endpoint_(clients_.issue("endpoint", "endpoint-1", 9)),
        lmpd_(dir_.path(), seat_tls_yaml(ca_.issue("server", "lmpd.test", 100), clients_)) {}
  void SetUp() override {
    code_ = lmpd_.create_license(2);
    lmpd_.start();
  }
  // A client of tls://HOST:PORT trusting `ca`, offering the endpoint certificate.
  ClientPtr tls_client(const std::string& host, const TestCa& ca) {
    auto client = new_client("tls://" + host + ":" + std::to_string(lmpd_.port()));
    EXPECT_EQ(lmp_client_set_tls(client.get(), ca.certificate().c_str(),
                                 endpoint_.certificate.c_str(), endpoint_.key.c_str()),
              LMP_OK)
        << lmp_last_error();
    return client;
  }

  TempDir dir_;
  TestCa ca_;
  TestCa clients_;
  IssuedCertificate endpoint_;
  LmpdInstance lmpd_;
  std::string code_;
};

TEST_F(ClientLibraryTlsTest, ChecksOutOverTlsAndResumesAfterARestart) {
  for (std::string host : {"127.0.0.1", "localhost"}) {
    auto client = tls_client(host, ca_);
    lmp_lease* lease = nullptr;
    ASSERT_EQ(lmp_client_checkout(client.get(), code_.c_str(), nullptr, 1, 0,
                                  LMP_CHECKOUT_MANUAL_HEARTBEAT, &lease),
              LMP_OK)
        << lmp_last_error();
    LeasePtr held(lease);
    auto used = [&] {
      lmp_license_status status{};
      EXPECT_EQ(lmp_client_status(client.get(), code_.c_str(), nullptr, &status), LMP_OK);
      return status.used;
    };
    EXPECT_EQ(used(), 1u);
    EXPECT_EQ(lmp_lease_heartbeat(lease), LMP_OK) << lmp_last_error();
    const std::string id = lease_id(lease);
    // The idle TLS connection dies with the server; the next heartbeat reconnects and resumes.
    lmpd_.kill_hard();
    lmpd_.start();
    EXPECT_EQ(lmp_lease_heartbeat(lease), LMP_OK) << lmp_last_error();
    EXPECT_EQ(lease_id(lease), id);
    EXPECT_EQ(lmp_client_ping(client.get()), LMP_OK) << lmp_last_error();
    EXPECT_EQ(lmp_lease_checkin(lease), LMP_OK) << lmp_last_error();
    EXPECT_EQ(used(), 0u);
  }
}

TEST_F(ClientLibraryTlsTest, ServerOfAnotherCaIsRefusedAndTheNextServerTried) {
  TestCa other(dir_.path(), "other");
  auto client = tls_client("127.0.0.1", other);
  EXPECT_EQ(lmp_client_ping(client.get()), LMP_ERR_UNREACHABLE);
  EXPECT_NE(std::string(lmp_last_error()).find("certificate verify failed"), std::string::npos)
      << lmp_last_error();

  // Failover: a server that fails verification is skipped like one that does not answer.
  auto both = new_client("tls://127.0.0.1:" + std::to_string(unused_port()) +
                         ",tls://127.0.0.1:" + std::to_string(lmpd_.port()));
  ASSERT_EQ(lmp_client_set_tls(both.get(), ca_.certificate().c_str(), endpoint_.certificate.c_str(),
                               endpoint_.key.c_str()),
            LMP_OK);
  EXPECT_EQ(lmp_client_ping(both.get()), LMP_OK) << lmp_last_error();
}

TEST_F(ClientLibraryTlsTest, WithoutAClientCertificateTheServerRefuses) {
  auto client = new_client("tls://127.0.0.1:" + std::to_string(lmpd_.port()));
  ASSERT_EQ(lmp_client_set_tls(client.get(), ca_.certificate().c_str(), nullptr, nullptr), LMP_OK);
  EXPECT_EQ(lmp_client_ping(client.get()), LMP_ERR_UNREACHABLE);
  // The client may see the server's alert before the server's handshake handler has run and
  // logged: wait for the line rather than read the log once.
  bool logged = false;
  for (int i = 0; i < 250 && !logged; ++i) {
    logged = read_file(dir_.path() / "lmpd.log").find("event=tls_handshake_failed listener=seat") !=
             std::string::npos;
    if (!logged) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(logged) << read_file(dir_.path() / "lmpd.log");
}

TEST_F(ClientLibraryTlsTest, BadTlsSettingsAreRefusedAtOnce) {
  auto plain = new_client("127.0.0.1:" + std::to_string(lmpd_.port()));
  EXPECT_EQ(lmp_client_set_tls(plain.get(), ca_.certificate().c_str(), nullptr, nullptr),
            LMP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(lmp_last_error()).find("no server of the list is a tls:// one"),
            std::string::npos);
  auto client = new_client("tls://127.0.0.1:" + std::to_string(lmpd_.port()));
  const std::string missing = (dir_.path() / "missing.pem").string();
  EXPECT_EQ(lmp_client_set_tls(client.get(), missing.c_str(), nullptr, nullptr),
            LMP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(lmp_last_error()).find(missing), std::string::npos) << lmp_last_error();
  EXPECT_EQ(lmp_client_set_tls(client.get(), nullptr, endpoint_.certificate.c_str(), nullptr),
            LMP_ERR_INVALID_ARGUMENT);
}

// The library exports its C API and nothing else: not the C++ core, not the JOSE pieces it
// shares with the server (lmp_jose: base64url, Ed25519), not the Boost or OpenSSL code in it.
TEST(ClientLibrary, ExportsTheCApiAlone) {
  auto symbols = run_command({LMP_NM, "-D", "--defined-only", LMP_CLIENT_LIBRARY});
  ASSERT_EQ(symbols.exit_code, 0) << symbols.err;
  std::istringstream lines(symbols.out);
  int api = 0;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string address, type, name;
    fields >> address >> type >> name;
    if (type == "A") continue;  // the version nodes (LMPCLIENT_1, ...)
    EXPECT_EQ(name.rfind("lmp_", 0), 0u) << "exported: " << line;
    ++api;
  }
  EXPECT_GE(api, 25);
}

}  // namespace
}  // namespace lmp::test
