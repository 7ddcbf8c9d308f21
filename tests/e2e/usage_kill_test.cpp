// Usage records and leases after SIGKILLs under load, on the real lmpd executable, on SQLite and
// on PostgreSQL (when LMP_TEST_POSTGRES names a server): records are
// written in the transaction of the lease change they describe, so whatever the kill interrupts,
//  - every acknowledged checkout has its checkout record, every acknowledged checkin its checkin
//    record (an answer is sent only after its batch is durable);
//  - every lease reference in the records has exactly one checkout record and at most one ending
//    record after it, and the lease is in the database exactly when no ending record is (a
//    checkout whose answer the kill swallowed has its record only if its lease is there or was
//    ended by a recorded change);
//  - every lease in the database has its checkout record.
// And borrowed leases (issue #18) outlive a SIGKILL: held with no heartbeat, signed by a key the
// next start still publishes.
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <boost/json/serialize.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "core/base64url.hpp"
#include "domain/borrow_token.hpp"
#include "support/daemon_files.hpp"
#include "support/daemon_process.hpp"
#include "support/http_client.hpp"
#include "support/line_client.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

class UsageKillTest : public ::testing::TestWithParam<std::string>, protected DaemonFiles {
 protected:
  void SetUp() override {
    if (!write_config(GetParam()))
      GTEST_SKIP() << "LMP_TEST_POSTGRES is not set (scripts/test.sh starts a server and sets it)";
  }
  std::string new_license(int units) { return admin_create_license(config_path(), units); }
};

INSTANTIATE_TEST_SUITE_P(Backends, UsageKillTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST_P(UsageKillTest, SigkillUnderLoadLeavesRecordsAndLeasesConsistent) {
  const std::string code = new_license(100000);
  ASSERT_FALSE(code.empty());
  std::mutex mutex;
  std::set<std::string> checked_out;  // users of acknowledged checkouts (one user per checkout)
  std::set<std::string> checked_in;   // users of acknowledged checkins
  constexpr int kRounds = 4;
  constexpr int kClients = 4;
  for (int round = 0; round < kRounds; ++round) {
    DaemonProcess lmpd(config_path(), log_path());
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int t = 0; t < kClients; ++t) {
      clients.emplace_back([&, t, port = lmpd.port()] {
        try {
          LineClient c(port);
          for (int n = 0; !stop; ++n) {
            const std::string user =
                "r" + std::to_string(round) + "c" + std::to_string(t) + "n" + std::to_string(n);
            c.send("CHECKOUT code=" + code + " user=" + user + " host=h" + std::to_string(t));
            auto line = c.read_line(std::chrono::seconds(5));
            if (!line) return;  // the server died under us
            if (status_of(*line) != "OK") continue;
            {
              std::lock_guard lock(mutex);
              checked_out.insert(user);
            }
            if (n % 2 == 0) continue;  // every other lease stays held
            c.send("CHECKIN lease=" + fields_of(*line)["lease"]);
            line = c.read_line(std::chrono::seconds(5));
            if (!line) return;
            if (status_of(*line) != "OK") continue;
            std::lock_guard lock(mutex);
            checked_in.insert(user);
          }
        } catch (const std::exception&) {
        }
      });
    }
    // Kill it while the clients are mid-request, once this round has acknowledged some of each
    // kind: a fixed sleep gave a slow machine (sanitizers, PostgreSQL under a loaded CI) too few
    // acknowledged changes for the counts below.
    const auto [outs_before, ins_before] = [&] {
      std::lock_guard lock(mutex);
      return std::pair{checked_out.size(), checked_in.size()};
    }();
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < give_up) {
      {
        std::lock_guard lock(mutex);
        if (checked_out.size() >= outs_before + 8 && checked_in.size() >= ins_before + 4) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + 30 * round));
    lmpd.kill_hard();
    stop = true;
    for (auto& t : clients) t.join();
  }
  ASSERT_GT(checked_out.size(), 20u);
  ASSERT_GT(checked_in.size(), 10u);
  {
    // A start after the last kill, as an operator's; then the database as it stands.
    DaemonProcess lmpd(config_path(), log_path());
    LineClient c(lmpd.port());
    ASSERT_EQ(c.request("PING"), "OK");
    EXPECT_EQ(lmpd.terminate(), 0);
  }

  auto session = open_database();
  soci::session& sql = *session;
  struct Lease {
    std::string user;
    int checkouts = 0;
    int ends = 0;
    std::int64_t checkout_id = 0;
    std::int64_t end_id = 0;
  };
  std::map<std::string, Lease> by_ref;
  std::map<std::string, std::string> ref_of_user;
  std::set<std::string> checkin_users;
  std::int64_t id = 0;
  std::string event, user, ref;
  soci::statement records = (sql.prepare << "SELECT id, event, user_name, lease_ref"
                                            " FROM usage_records ORDER BY id",
                             soci::into(id), soci::into(event), soci::into(user), soci::into(ref));
  records.execute();
  while (records.fetch()) {
    Lease& lease = by_ref[ref];
    if (event == "checkout") {
      ++lease.checkouts;
      lease.checkout_id = id;
      lease.user = user;
      ref_of_user[user] = ref;
    } else if (event == "checkin" || event == "reclaim" || event == "release") {
      ++lease.ends;
      lease.end_id = id;
      if (event == "checkin") checkin_users.insert(user);
    } else {
      ADD_FAILURE() << "unexpected event " << event;
    }
  }
  std::set<std::string> live;
  soci::statement leases = (sql.prepare << "SELECT ref FROM leases", soci::into(ref));
  leases.execute();
  while (leases.fetch()) live.insert(ref);

  for (const auto& u : checked_out) EXPECT_TRUE(ref_of_user.contains(u)) << "acknowledged " << u;
  for (const auto& u : checked_in) {
    EXPECT_TRUE(checkin_users.contains(u)) << "acknowledged checkin " << u;
    EXPECT_FALSE(ref_of_user.contains(u) && live.contains(ref_of_user[u])) << u;
  }
  std::size_t unacknowledged = 0;
  for (const auto& [r, lease] : by_ref) {
    EXPECT_EQ(lease.checkouts, 1) << r;
    EXPECT_LE(lease.ends, 1) << r;
    if (lease.ends == 1) {
      EXPECT_GT(lease.end_id, lease.checkout_id) << r;
    }
    EXPECT_EQ(live.contains(r), lease.ends == 0) << r << " (" << lease.user << ")";
    if (!checked_out.contains(lease.user)) ++unacknowledged;
  }
  for (const auto& r : live) EXPECT_TRUE(by_ref.contains(r)) << "lease without its record " << r;
  // Only a checkout in flight at a kill can be recorded without its answer.
  EXPECT_LE(unacknowledged, static_cast<std::size_t>(kRounds * kClients));
}

TEST_P(UsageKillTest, BorrowedLeasesOutliveASigkillAndTheNextStartPublishesTheirKey) {
  const std::string code = new_license(5);
  ASSERT_FALSE(code.empty());
  const auto policy = folder() / "policy.yaml";
  std::ofstream(policy) << "policies:\n  - customer: acme\n"
                           "    borrow: {allowed: true, max_seconds: 86400, max_units: 5}\n";
  std::ofstream(config_path(), std::ios::app) << "policy:\n  file: " << policy.string() << "\n";
  std::map<std::string, std::string> borrowed;
  {
    DaemonProcess lmpd(config_path(), log_path());
    LineClient c(lmpd.port());
    const std::string line =
        c.request("CHECKOUT code=" + code + " host=laptop1 user=ann units=2 borrow=3600");
    ASSERT_EQ(status_of(line), "OK") << line;
    borrowed = fields_of(line);
    lmpd.kill_hard();
  }
  DaemonProcess lmpd(config_path(), log_path());
  LineClient c(lmpd.port());
  // Still held, with no heartbeat since, until its own expiry.
  EXPECT_EQ(fields_of(c.request("STATUS code=" + code))["used"], "2");
  EXPECT_EQ(c.request("HEARTBEAT lease=" + borrowed["lease"]), "OK expires=" + borrowed["expires"]);
  // The key that signed it is still published, by the new process, and verifies it.
  HttpClient http(lmpd.admin_port());
  const auto set = http.get("/v1/keys").json();
  std::optional<domain::VerifiedToken> verified;
  for (const auto& jwk : set.at("keys").as_array())
    verified =
        verified ? verified
                 : domain::verify_borrow_token(
                       borrowed["token"], *base64url_decode(std::string(jwk.at("x").as_string())));
  ASSERT_TRUE(verified.has_value()) << boost::json::serialize(set);
  EXPECT_EQ(verified->claims.lease, borrowed["lease"]);
  EXPECT_EQ(c.request("CHECKIN lease=" + borrowed["lease"]), "OK");
  EXPECT_EQ(fields_of(c.request("STATUS code=" + code))["used"], "0");
  EXPECT_EQ(lmpd.terminate(), 0);
  auto session = open_database();
  std::int64_t records = 0;
  *session << "SELECT COUNT(*) FROM usage_records WHERE event = 'borrow' AND units = 2",
      soci::into(records);
  EXPECT_EQ(records, 1);
}

}  // namespace
}  // namespace lmp::test
