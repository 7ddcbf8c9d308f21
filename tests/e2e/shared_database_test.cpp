// Several real lmpd processes on one PostgreSQL database (the server scripts/test.sh starts,
// found through LMP_TEST_POSTGRES): never more units granted than licensed, leases that move
// between instances, waiters served by a unit freed on another instance, a lease released on an
// instance that did not grant it, and an instance killed without losing what it acknowledged.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include "support/daemon_process.hpp"
#include "support/http_client.hpp"
#include "support/line_client.hpp"
#include "support/scratch_postgres.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

class SharedDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (ScratchPostgres::server() == nullptr)
      GTEST_SKIP() << "LMP_TEST_POSTGRES is not set (scripts/test.sh starts a server and sets it)";
    database_ = std::make_unique<ScratchPostgres>();
    // One server secret that every instance reads, as docs/scale-out.md says.
    make_server_secret((dir_.path() / "lmpd.secret").string());
    std::ofstream(config_path())
        << "listeners:\n  seat: {address: 127.0.0.1, port: 0}\n"
        << "  admin: {address: 127.0.0.1, port: 0}\n"
        << "storage:\n  backend: postgresql\n  secret_file: lmpd.secret\n"
        << "  postgresql:\n    connection: \"" << database_->connection() << "\"\n"
        << "leases:\n  reclaim_interval_ms: 200\n"
        << "plugins:\n  directory: " << LMP_TEST_PLUGIN_DIR << "\n"
        << "products:\n  - {code: cad, name: CAD, family: software, unit: seats}\n";
  }
  void TearDown() override {
    instances_.clear();
    database_.reset();
  }
  std::filesystem::path config_path() const { return dir_.path() / "lmpd.yaml"; }

  std::string new_license(int units) {
    auto r = run_command({LMP_TEST_LMPD_BINARY, "admin", "--config", config_path().string(),
                          "create-license", "--customer", "acme", "--product", "cad", "--units",
                          std::to_string(units)});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto at = r.out.find("activation code: ");
    return at == std::string::npos ? std::string() : r.out.substr(at + 17, 23);
  }
  void start(int count) {
    for (int i = 0; i < count; ++i) {
      instances_.push_back(std::make_unique<DaemonProcess>(
          config_path(), dir_.path() / ("lmpd" + std::to_string(i) + ".log")));
    }
  }
  std::uint16_t port(std::size_t instance) const { return instances_[instance]->port(); }
  // The parent's token, from `lmpd admin init`.
  std::string init_token() {
    auto r = run_command({LMP_TEST_LMPD_BINARY, "admin", "--config", config_path().string(), "init",
                          "--name", "parent"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto at = r.out.find("API token: ");
    return at == std::string::npos ? std::string()
                                   : r.out.substr(at + 11, r.out.find('\n', at) - at - 11);
  }
  // An admin API call to `instance` with `token`; the answer's JSON (null unless `status`).
  boost::json::value admin(std::size_t instance, const std::string& token,
                           const std::string& method, const std::string& target,
                           const std::string& body = "", int status = 200) {
    HttpClient client(instances_[instance]->admin_port());
    client.send_raw(
        request_text(method, target, body, "application/json", {"Authorization: Bearer " + token}));
    auto reply = client.read_reply();
    EXPECT_TRUE(reply.has_value()) << method << " " << target;
    if (!reply) return nullptr;
    EXPECT_EQ(reply->status, status) << method << " " << target << ": " << reply->body;
    return reply->json();
  }

  // Runs one statement on the shared database, as a DBA would.
  void sql(const std::string& statement) {
    soci::session session(soci::postgresql, database_->connection());
    session << statement;
  }
  // The licenses whose units-held counter differs from the units of their stored leases, as
  // "id: counter != leases" lines; empty when every counter is exact.
  std::string counter_differences() {
    soci::session session(soci::postgresql, database_->connection());
    std::string out;
    soci::rowset<soci::row> rows =
        (session.prepare << "SELECT l.id, l.units_held, CAST(COALESCE(SUM(le.units), 0) AS BIGINT)"
                            " FROM licenses l LEFT JOIN leases le ON le.license_id = l.id"
                            " GROUP BY l.id, l.units_held"
                            " HAVING l.units_held <> COALESCE(SUM(le.units), 0)");
    for (const auto& row : rows)
      out += std::to_string(row.get<long long>(0)) + ": " + std::to_string(row.get<long long>(1)) +
             " != " + std::to_string(row.get<long long>(2)) + "\n";
    return out;
  }
  // How many rows say an instance has waiters for a license.
  long long noted_waiters() {
    soci::session session(soci::postgresql, database_->connection());
    long long rows = 0;
    session << "SELECT COUNT(*) FROM license_waiters", soci::into(rows);
    return rows;
  }
  // Polls `condition` for up to 10 s.
  static bool eventually(const std::function<bool()>& condition) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!condition()) {
      if (std::chrono::steady_clock::now() >= until) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }
  // Sweeps a minute apart: what serves a waiter within the test's bounds is not the sweep.
  void sweep_every_minute() {
    std::string text;
    {
      std::ifstream in(config_path());
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    const std::string from = "reclaim_interval_ms: 200";
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos);
    text.replace(at, from.size(), "reclaim_interval_ms: 60000");
    std::ofstream(config_path()) << text;
  }
  // The counter of the test's licenses together.
  long long units_held() {
    soci::session session(soci::postgresql, database_->connection());
    long long held = 0;
    session << "SELECT CAST(COALESCE(SUM(units_held), 0) AS BIGINT) FROM licenses",
        soci::into(held);
    return held;
  }

  TempDir dir_;
  std::unique_ptr<ScratchPostgres> database_;
  std::vector<std::unique_ptr<DaemonProcess>> instances_;
};

TEST_F(SharedDatabaseTest, ThreeInstancesNeverGrantMoreThanTheUnits) {
  const int units = 5;
  auto code = new_license(units);
  start(3);
  std::atomic<int> held{0}, most_held{0}, granted{0}, errors{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 24; ++t) {
    clients.emplace_back([&, t] {
      LineClient c(port(static_cast<std::size_t>(t % 3)));
      for (int i = 0; i < 25; ++i) {
        auto answer = c.request("CHECKOUT code=" + code);
        if (status_of(answer) != "OK") {
          if (status_of(answer) != "no_seats") ++errors;
          continue;
        }
        // Counted after the grant and released before the checkin: never above what the
        // servers hold, so more than `units` here means the servers over-committed.
        const int now_held = ++held;
        for (int seen = most_held;
             now_held > seen && !most_held.compare_exchange_weak(seen, now_held);) {
        }
        ++granted;
        // Holding the unit a moment keeps every unit busy, so the instances decide against
        // each other with no slack: without the license row lock this goes above `units`.
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        --held;
        if (status_of(c.request("CHECKIN lease=" + fields_of(answer)["lease"])) != "OK") ++errors;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(errors, 0);
  EXPECT_GT(granted, 0);
  EXPECT_LE(most_held, units);
  // Every unit is usable again, from any instance, and not one more.
  for (int i = 0; i < units; ++i) {
    LineClient c(port(static_cast<std::size_t>(i % 3)));
    EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " host=h" + std::to_string(i))), "OK");
  }
  LineClient c(port(2));
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " host=late")), "no_seats");
  EXPECT_EQ(fields_of(c.request("STATUS code=" + code))["used"], std::to_string(units));
  // The license row's counter, which the instances decided on, followed every grant and checkin.
  EXPECT_EQ(counter_differences(), "");
  EXPECT_EQ(units_held(), units);
}

TEST_F(SharedDatabaseTest, LeasesMoveBetweenInstancesAndWaitersAreServedAcrossThem) {
  auto code = new_license(1);
  start(3);
  LineClient a(port(0)), b(port(1)), c(port(2));
  auto lease = fields_of(a.request("CHECKOUT code=" + code + " host=pc1"))["lease"];
  ASSERT_FALSE(lease.empty());
  EXPECT_EQ(status_of(b.request("HEARTBEAT lease=" + lease)), "OK");
  // The same holder on another instance gets its lease back, not a second unit.
  EXPECT_EQ(fields_of(c.request("CHECKOUT code=" + code + " host=pc1"))["lease"], lease);
  EXPECT_EQ(fields_of(c.request("STATUS code=" + code))["used"], "1");

  // A waiter on instance b is served by a checkin on instance c.
  b.send("CHECKOUT code=" + code + " host=pc2 wait=30");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(status_of(c.request("CHECKIN lease=" + lease)), "OK");
  auto served = b.read_line(std::chrono::seconds(20));
  ASSERT_TRUE(served.has_value());
  EXPECT_EQ(status_of(*served), "OK") << *served;
  EXPECT_EQ(fields_of(a.request("STATUS code=" + code))["used"], "1");
}

// Told by the database (LISTEN/NOTIFY), not found at a sweep, which here comes a minute after
// the first: a checkin, an administrator's release and a license given more units on one instance
// each serve a waiter on the other at once. Only a license with waiters is noted, and only while
// it has them.
TEST_F(SharedDatabaseTest, UnitsFreedOnOneInstanceServeAWaiterOnAnotherWithoutASweep) {
  sweep_every_minute();
  auto code = new_license(1);
  const std::string token = init_token();
  start(2);
  LineClient a(port(0)), waiter(port(1));
  const auto wait_for_unit = [&](const std::string& who) {
    waiter.send("CHECKOUT code=" + code + " user=" + who + " host=" + who + " wait=50");
    EXPECT_TRUE(eventually([&] { return noted_waiters() == 1; }));
  };
  const auto served = [&]() -> std::string {
    // Well inside the minute the sweep would take.
    auto line = waiter.read_line(std::chrono::seconds(15));
    return line ? *line : "(no answer)";
  };
  EXPECT_EQ(noted_waiters(), 0);

  // A checkin.
  auto lease = fields_of(a.request("CHECKOUT code=" + code + " user=ann host=ann"))["lease"];
  ASSERT_FALSE(lease.empty());
  wait_for_unit("bob");
  const auto checked_in = std::chrono::steady_clock::now();
  EXPECT_EQ(status_of(a.request("CHECKIN lease=" + lease)), "OK");
  const std::string bob = served();
  ASSERT_EQ(status_of(bob), "OK") << bob;
  // Reported, not asserted (docs/scale-out.md quotes it): from the checkin's request to the
  // waiter's answer.
  RecordProperty("served_after_ms",
                 static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::steady_clock::now() - checked_in)
                                      .count()));
  EXPECT_TRUE(eventually([&] { return noted_waiters() == 0; }));

  // An administrator's release, on the instance that did not grant the lease.
  wait_for_unit("cid");
  auto listed = admin(0, token, "GET", "/v1/leases");
  ASSERT_TRUE(listed.is_object());
  ASSERT_EQ(listed.at("items").as_array().size(), 1u) << boost::json::serialize(listed);
  const std::string ref(listed.at("items").at(0).at("id").as_string());
  admin(0, token, "DELETE", "/v1/leases/" + ref, R"({"reason":"bob left"})");
  const std::string cid = served();
  ASSERT_EQ(status_of(cid), "OK") << cid;

  // More units for the license.
  wait_for_unit("dan");
  auto licenses = admin(0, token, "GET", "/v1/licenses");
  ASSERT_TRUE(licenses.is_object());
  const auto id = licenses.at("items").at(0).at("id").as_int64();
  admin(0, token, "PUT", "/v1/licenses/" + std::to_string(id) + "/units", R"({"units":2})");
  const std::string dan = served();
  ASSERT_EQ(status_of(dan), "OK") << dan;
  EXPECT_EQ(fields_of(a.request("STATUS code=" + code))["used"], "2");
  EXPECT_TRUE(eventually([&] { return noted_waiters() == 0; }));
}

// Who holds what across instances: each lists every lease of the database, with the instance
// that granted it.
TEST_F(SharedDatabaseTest, EveryInstanceListsEveryLeaseWithTheInstanceThatGrantedIt) {
  auto code = new_license(3);
  const std::string token = init_token();
  start(2);
  LineClient a(port(0)), b(port(1));
  ASSERT_EQ(status_of(a.request("CHECKOUT code=" + code + " user=ann host=pc1")), "OK");
  ASSERT_EQ(status_of(b.request("CHECKOUT code=" + code + " user=bob host=pc2")), "OK");
  for (std::size_t instance : {0u, 1u}) {
    auto listed = admin(instance, token, "GET", "/v1/leases");
    ASSERT_TRUE(listed.is_object());
    const auto& items = listed.at("items").as_array();
    ASSERT_EQ(items.size(), 2u) << boost::json::serialize(listed);
    std::map<std::string, std::string> instance_of;
    for (const auto& lease : items)
      instance_of[std::string(lease.at("user").as_string())] =
          std::string(lease.at("instance").as_string());
    EXPECT_NE(instance_of["ann"], instance_of["bob"]);
    EXPECT_NE(instance_of["ann"].find(':'), std::string::npos) << instance_of["ann"];
  }
  auto licenses = admin(1, token, "GET", "/v1/licenses");
  EXPECT_EQ(licenses.at("items").at(0).at("used"), 2);
}

// A release on an instance that did not grant the lease: the granting one's waiter is served,
// and every instance answers the endpoint lease_revoked.
TEST_F(SharedDatabaseTest, ALeaseReleasedOnAnotherInstanceIsRevokedOnEveryInstance) {
  auto code = new_license(1);
  const std::string token = init_token();
  start(2);
  LineClient holder(port(0)), waiter(port(0)), other(port(1));
  auto lease = fields_of(holder.request("CHECKOUT code=" + code + " user=ann host=pc1"))["lease"];
  ASSERT_FALSE(lease.empty());
  waiter.send("CHECKOUT code=" + code + " user=bob host=pc2 wait=30");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto listed = admin(1, token, "GET", "/v1/leases");
  ASSERT_TRUE(listed.is_object());
  ASSERT_EQ(listed.at("items").as_array().size(), 1u) << boost::json::serialize(listed);
  const std::string ref(listed.at("items").at(0).at("id").as_string());

  auto released = admin(1, token, "DELETE", "/v1/leases/" + ref, R"({"reason":"pc1 is gone"})");
  ASSERT_TRUE(released.is_object());
  EXPECT_EQ(released.at("user"), "ann");
  auto served = waiter.read_line(std::chrono::seconds(20));
  ASSERT_TRUE(served.has_value());
  EXPECT_EQ(status_of(*served), "OK") << *served;
  for (LineClient* client : {&holder, &other}) {
    const std::string answer = client->request("HEARTBEAT lease=" + lease);
    EXPECT_EQ(status_of(answer), "lease_revoked") << answer;
    EXPECT_EQ(fields_of(answer)["msg"], "released by an administrator: pc1 is gone");
  }
  EXPECT_EQ(status_of(holder.request("CHECKIN lease=" + lease)), "lease_revoked");
  // Released once: the granting instance finds nothing left to release.
  admin(0, token, "DELETE", "/v1/leases/" + ref + "?reason=again", "", 404);
  auto audit = admin(0, token, "GET", "/v1/audit?action=lease.release");
  ASSERT_TRUE(audit.is_object());
  EXPECT_EQ(audit.at("items").as_array().size(), 1u);
}

TEST_F(SharedDatabaseTest, AKilledInstanceLosesNothingItAcknowledged) {
  auto code = new_license(4);
  start(2);
  std::vector<std::string> leases;
  {
    LineClient a(port(0));
    for (int i = 0; i < 3; ++i)
      leases.push_back(
          fields_of(a.request("CHECKOUT code=" + code + " host=pc" + std::to_string(i)))["lease"]);
  }
  instances_[0]->kill_hard();
  LineClient b(port(1));
  for (const auto& lease : leases)
    EXPECT_EQ(status_of(b.request("HEARTBEAT lease=" + lease)), "OK");
  EXPECT_EQ(fields_of(b.request("STATUS code=" + code))["used"], "3");
  const auto pc9 = fields_of(b.request("CHECKOUT code=" + code + " host=pc9"));
  EXPECT_EQ(pc9.count("lease"), 1u);
  EXPECT_EQ(status_of(b.request("CHECKOUT code=" + code + " host=pc10")), "no_seats");
  EXPECT_EQ(counter_differences(), "");
  EXPECT_EQ(units_held(), 4);
  // Killed in the middle of a stream of checkouts and checkins of the unit left free; restarted
  // on the same database.
  EXPECT_EQ(status_of(b.request("CHECKIN lease=" + pc9.at("lease"))), "OK");
  {
    std::atomic<bool> stop{false};
    std::thread churn([&] {
      LineClient c(port(1));
      try {
        while (!stop) {
          auto lease = fields_of(c.request("CHECKOUT code=" + code + " host=churn"))["lease"];
          if (!lease.empty()) c.request("CHECKIN lease=" + lease);
        }
      } catch (const std::runtime_error&) {
        // The killed instance's connection: nothing more to send.
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    instances_[1]->kill_hard();
    stop = true;
    churn.join();
  }
  start(1);
  LineClient restarted(port(2));
  // Three, or four when the killed instance had committed a checkout whose checkin never came:
  // the counter says which, exactly.
  const long long held = units_held();
  EXPECT_TRUE(held == 3 || held == 4) << held;
  EXPECT_EQ(fields_of(restarted.request("STATUS code=" + code))["used"], std::to_string(held));
  EXPECT_EQ(counter_differences(), "");
}

// The sweep's consistency check: a counter changed by hand is reported (log line, audit record,
// metric), never corrected, and decisions go on counting it until a DBA puts it right.
TEST_F(SharedDatabaseTest, ACounterCorruptedByHandIsReportedAndNotCorrected) {
  auto code = new_license(3);
  const std::string token = init_token();
  start(1);
  LineClient c(port(0));
  ASSERT_EQ(status_of(c.request("CHECKOUT code=" + code + " host=pc1")), "OK");
  sql("UPDATE licenses SET units_held = units_held + 2");
  boost::json::value audit;
  for (int i = 0; i < 100; ++i) {
    audit = admin(0, token, "GET", "/v1/audit?action=license.units_held_mismatch");
    if (audit.is_object() && !audit.at("items").as_array().empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(audit.is_object());
  ASSERT_EQ(audit.at("items").as_array().size(), 1u) << boost::json::serialize(audit);
  EXPECT_NE(boost::json::serialize(audit).find(R"("units_held":3,"leases_units":1)"),
            std::string::npos)
      << boost::json::serialize(audit);
  EXPECT_NE(read_file(dir_.path() / "lmpd0.log").find("event=units_held_mismatch"),
            std::string::npos);
  HttpClient http(instances_[0]->admin_port());
  http.send_raw(request_text("GET", "/metrics"));
  auto metrics = http.read_reply();
  ASSERT_TRUE(metrics.has_value());
  EXPECT_NE(metrics->body.find("\nlmp_units_held_mismatched_licenses 1\n"), std::string::npos);
  // Not corrected: the license counts three units held, so it has none to give.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(units_held(), 3);
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " host=pc2")), "no_seats");
  // Reported once while it stays the same.
  EXPECT_EQ(admin(0, token, "GET", "/v1/audit?action=license.units_held_mismatch")
                .at("items")
                .as_array()
                .size(),
            1u);
  // The DBA's correction (docs/scale-out.md) makes the units usable again.
  sql("UPDATE licenses SET units_held = (SELECT COALESCE(SUM(units), 0) FROM leases"
      " WHERE leases.license_id = licenses.id)");
  EXPECT_EQ(counter_differences(), "");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " host=pc2")), "OK");
}

// A PostgreSQL server of the test's own, so stopping it harms no other test running meanwhile.
class PrivateServer {
 public:
  PrivateServer() { pick_place(); }
  ~PrivateServer() { script("stop-postgres.sh"); }
  // Starts it (creating the cluster the first time); returns the connection string. A port
  // another process holds costs a new cluster on another port, a few times at most.
  std::string start() {
    CommandResult r;
    for (int attempt = 0; attempt < 5; ++attempt) {
      r = script("start-postgres.sh");
      if (r.exit_code == 0 || r.err.find("could not bind") == std::string::npos) break;
      script("stop-postgres.sh");
      pick_place();
    }
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, r.out.find('\n'));
  }
  void stop_keeping_data() { EXPECT_EQ(script("stop-postgres.sh", "--keep").exit_code, 0); }

 private:
  // Below Linux's ephemeral range (32768 and up), where connections and port-0 listeners of
  // tests running meanwhile take their ports, and clear of lmpd's own defaults (274xx).
  void pick_place() {
    std::random_device random;
    dir_ = "/tmp/lmpd-restart-pg-" + std::to_string(random());
    port_ = std::to_string(20000 + random() % 7000);
  }

  CommandResult script(const std::string& name, const std::string& argument = "") {
    std::vector<std::string> argv = {"/usr/bin/env", "LMP_PG_DIR=" + dir_, "LMP_PG_PORT=" + port_,
                                     "bash", std::string(LMP_TEST_SCRIPTS_DIR) + "/" + name};
    if (!argument.empty()) argv.push_back(argument);
    return run_command(argv);
  }
  std::string dir_;
  std::string port_;
};

// The database goes away under a serving instance and comes back: meanwhile requests are
// answered `unavailable` (nothing is acknowledged that did not commit), and afterwards the
// instance serves again by itself, with every lease acknowledged before still valid.
TEST(SharedDatabaseRestart, AnInstanceAnswersUnavailableThenRecoversByItself) {
  PrivateServer postgres;
  const std::string conninfo = postgres.start();
  ASSERT_FALSE(conninfo.empty());
  TempDir dir;
  const auto config = dir.path() / "lmpd.yaml";
  make_server_secret((dir.path() / "lmpd.secret").string());
  std::ofstream(config) << "listeners:\n  seat: {address: 127.0.0.1, port: 0}\n"
                        << "  admin: {address: 127.0.0.1, port: 0}\n"
                        << "storage:\n  backend: postgresql\n  secret_file: lmpd.secret\n"
                        << "  postgresql:\n    connection: \"" << conninfo << "\"\n"
                        << "plugins:\n  directory: " << LMP_TEST_PLUGIN_DIR << "\n"
                        << "products:\n  - {code: cad, name: CAD, family: software, unit: seats}\n";
  auto created =
      run_command({LMP_TEST_LMPD_BINARY, "admin", "--config", config.string(), "create-license",
                   "--customer", "acme", "--product", "cad", "--units", "2"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string code = created.out.substr(created.out.find("activation code: ") + 17, 23);
  DaemonProcess lmpd(config, dir.path() / "lmpd.log");
  LineClient c(lmpd.port());
  const std::string lease = fields_of(c.request("CHECKOUT code=" + code + " host=pc1"))["lease"];
  ASSERT_FALSE(lease.empty());

  postgres.stop_keeping_data();
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " host=pc2")), "unavailable");
  EXPECT_EQ(status_of(c.request("HEARTBEAT lease=" + lease)), "unavailable");

  ASSERT_EQ(postgres.start(), conninfo);
  std::string answer;
  for (int i = 0; i < 100 && status_of(answer) != "OK"; ++i) {
    answer = c.request("HEARTBEAT lease=" + lease);
    if (status_of(answer) != "OK") std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(status_of(answer), "OK") << answer << "\n" << read_file(dir.path() / "lmpd.log");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " host=pc2")), "OK");
  EXPECT_EQ(fields_of(c.request("STATUS code=" + code))["used"], "2");
  EXPECT_NE(read_file(dir.path() / "lmpd.log").find("event=storage_reconnected"),
            std::string::npos);
}

}  // namespace
}  // namespace lmp::test
