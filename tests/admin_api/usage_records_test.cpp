// Usage records through the real listeners on each storage backend: one row per checkout (new or
// the holder's repeated one), checkin, expiry reclaim, administrator's release and End-of-Life
// deletion, none per heartbeat, each with its holder and the license's place in the tree; one per
// refused checkout (its code) and per start and end of a wait (its outcome); pruned once past
// their retention; none written when usage.records is off.
#include <soci/soci.h>
#include <boost/json/parse.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "admin_fixture.hpp"
#include "support/http_client.hpp"
#include "support/line_client.hpp"

namespace lmp::test {
namespace {

namespace json = boost::json;

constexpr std::int64_t kNowMs = kTestEpochMs;

class UsageRecordsTest : public AdminApiTest {
 protected:
  void SetUp() override {
    AdminApiTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    partner_ = make_partner("msp-one", "msp");
    customer_ = make_customer("acme", partner_);
    auto made = ok(root_token_, "POST", "/v1/licenses",
                   {{"customer", customer_}, {"product", "cad"}, {"units", 5}, {"days", 365}});
    license_ = id_of(made);
    code_ = std::string(made.at("code").as_string());
  }

  // Each record as "event|units|user|host|peer|license|product|customer|account|scope|at|since",
  // in the order written (`-` for NULL).
  std::vector<std::string> records() {
    auto sql = raw_session();
    soci::rowset<std::string> rows =
        (sql->prepare
         << "SELECT event || '|' || CAST(units AS TEXT) || '|' || user_name || '|' || host || '|'"
            " || peer || '|' || CAST(license_id AS TEXT) || '|' || product_code || '|' ||"
            " CAST(customer_id AS TEXT) || '|' || COALESCE(CAST(account_id AS TEXT), '-') || '|'"
            " || scope || '|' || CAST(at_ms AS TEXT) || '|' ||"
            " COALESCE(CAST(since_ms AS TEXT), '-') FROM usage_records ORDER BY id");
    return {rows.begin(), rows.end()};
  }
  std::string record(const std::string& event, const std::string& units, const std::string& user,
                     const std::string& host, std::int64_t at_ms,
                     std::optional<std::int64_t> since_ms) const {
    return event + "|" + units + "|" + user + "|" + host + "|127.0.0.2|" +
           std::to_string(license_) + "|cad|" + std::to_string(customer_) + "|" +
           std::to_string(partner_) + "|/1/" + std::to_string(partner_) + "/c" +
           std::to_string(customer_) + "/|" + std::to_string(at_ms) + "|" +
           (since_ms ? std::to_string(*since_ms) : "-");
  }
  // Waits for the reclaim sweep (it runs on the engine's own schedule) to bring `count` records.
  std::vector<std::string> records_once(std::size_t count) {
    auto rows = records();
    for (int i = 0; i < 300 && rows.size() != count; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      rows = records();
    }
    return rows;
  }
  // The records of checkouts that hold no lease (denials and waits) and the rest alike, as
  // "event|code|units|user|host|peer|at|since", in the order written; each must name the license,
  // its product, customer, partner and scope.
  std::vector<std::string> events() {
    auto sql = raw_session();
    const std::string scope =
        "/1/" + std::to_string(partner_) + "/c" + std::to_string(customer_) + "/";
    soci::rowset<soci::row> rows =
        (sql->prepare << "SELECT event, code, units, user_name, host, peer, at_ms, since_ms,"
                         " license_id, product_code, customer_id, account_id, scope"
                         " FROM usage_records ORDER BY id");
    std::vector<std::string> out;
    for (const auto& row : rows) {
      EXPECT_EQ(row.get<long long>(8), license_) << row.get<std::string>(0);
      EXPECT_EQ(row.get<std::string>(9), "cad");
      EXPECT_EQ(row.get<long long>(10), customer_);
      EXPECT_EQ(row.get<long long>(11), partner_);
      EXPECT_EQ(row.get<std::string>(12), scope);
      const bool ended = row.get_indicator(7) != soci::i_null;
      out.push_back(row.get<std::string>(0) + "|" + row.get<std::string>(1) + "|" +
                    std::to_string(row.get<long long>(2)) + "|" + row.get<std::string>(3) + "|" +
                    row.get<std::string>(4) + "|" + row.get<std::string>(5) + "|" +
                    std::to_string(row.get<long long>(6)) + "|" +
                    (ended ? std::to_string(row.get<long long>(7)) : "-"));
    }
    return out;
  }
  // Waits for `count` records: an answer the client never reads, or a sweep, brings them.
  std::vector<std::string> events_once(std::size_t count) {
    auto rows = events();
    for (int i = 0; i < 500 && rows.size() < count; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      rows = events();
    }
    return rows;
  }
  std::string ref_of_user(const std::string& user) {
    auto leases = ok(root_token_, "GET", "/v1/leases?user=" + user).at("items").as_array();
    EXPECT_EQ(leases.size(), 1u);
    return leases.empty() ? std::string() : std::string(leases[0].at("id").as_string());
  }

  std::int64_t partner_ = 0, customer_ = 0, license_ = 0;
  std::string code_;
};

INSTANTIATE_TEST_SUITE_P(Backends, UsageRecordsTest, kStorageBackends, backend_name);

TEST_P(UsageRecordsTest, EachSeatEventIsRecordedWithItsHolder) {
  LineClient seat(server_->port(), "127.0.0.2");
  const auto ann = fields_of(seat.request("CHECKOUT code=" + code_ + " user=ann host=ws1 units=2"));
  ASSERT_EQ(ann.count("lease"), 1u);
  EXPECT_EQ(status_of(seat.request("HEARTBEAT lease=" + ann.at("lease"))), "OK");
  EXPECT_EQ(status_of(seat.request("CHECKOUT code=" + code_ + " user=ann host=ws1 units=2")), "OK");
  EXPECT_EQ(status_of(seat.request("CHECKIN lease=" + ann.at("lease"))), "OK");
  ASSERT_EQ(status_of(seat.request("CHECKOUT code=" + code_ + " user=bob host=ws2")), "OK");
  ok(root_token_, "DELETE", "/v1/leases/" + ref_of_user("bob") + "?reason=gone");
  ASSERT_EQ(status_of(seat.request("CHECKOUT code=" + code_ + " user=cy host=ws3")), "OK");

  const std::vector<std::string> before_expiry = {
      record("checkout", "2", "ann", "ws1", kNowMs, std::nullopt),
      record("checkout_reused", "2", "ann", "ws1", kNowMs, std::nullopt),
      record("checkin", "2", "ann", "ws1", kNowMs, kNowMs),
      record("checkout", "1", "bob", "ws2", kNowMs, std::nullopt),
      record("release", "1", "bob", "ws2", kNowMs, kNowMs),
      record("checkout", "1", "cy", "ws3", kNowMs, std::nullopt),
  };
  EXPECT_EQ(records(), before_expiry);

  // cy's lease expires (300 s) and is swept; the sweep's time is the record's.
  server_->advance_seconds(301);
  auto rows = records_once(before_expiry.size() + 1);
  ASSERT_EQ(rows.size(), before_expiry.size() + 1);
  EXPECT_EQ(rows.back(), record("reclaim", "1", "cy", "ws3", kNowMs + 301'000, kNowMs));

  // An End-of-Life deletion records the end of each lease it deletes.
  ASSERT_EQ(status_of(seat.request("CHECKOUT code=" + code_ + " user=eve host=ws5")), "OK");
  server_->advance_seconds(5);
  ok(root_token_, "POST", "/v1/products/cad/end-of-life");
  rows = records();
  ASSERT_EQ(rows.size(), before_expiry.size() + 3);
  EXPECT_EQ(rows.back(),
            record("end_of_life", "1", "eve", "ws5", kNowMs + 306'000, kNowMs + 301'000));
  // On SQLite every record's id carries its time (storage/usage_record_ids.hpp), whichever
  // statement wrote it: the seat path's at commit, the sweep's, the End-of-Life deletion's.
  if (!on_postgresql()) {
    auto sql = raw_session();
    int without = -1;
    *sql << "SELECT COUNT(*) FROM usage_records WHERE at_ms <> (id >> 11)", soci::into(without);
    EXPECT_EQ(without, 0);
  }
}

// Every checkout refused once its code found the license is a denial with its code, over the seat
// protocol and HTTP alike; a wrong code is not (a guessing signal, counted elsewhere).
TEST_P(UsageRecordsTest, RefusedCheckoutsAreRecordedAsDenialsWithTheirCode) {
  LineClient seat(server_->port(), "127.0.0.2");
  ASSERT_EQ(status_of(seat.request("CHECKOUT code=" + code_ + " user=ann host=ws1 units=5")), "OK");
  EXPECT_EQ(status_of(seat.request("CHECKOUT code=" + code_ + " user=dee host=ws4 units=2")),
            "no_seats");
  EXPECT_EQ(status_of(seat.request("CHECKOUT code=" + code_ + " user=dee host=ws4 product=agent")),
            "product_not_licensed");
  EXPECT_EQ(status_of(seat.request("CHECKOUT code=AAAAA-AAAAA-AAAAA-AAAAA user=eve")),
            "invalid_code");
  // The site's policy keeps zed out; over HTTP, from the test's own address.
  ok(root_token_, "PUT", "/v1/customers/" + std::to_string(customer_) + "/policy",
     json::parse(R"({"exclude": ["user:zed"]})"));
  HttpClient http(server_->admin_port());
  auto refused = http.post("/v1/seat/checkout", {{"code", code_}, {"user", "zed"}, {"host", "x"}});
  EXPECT_EQ(refused.error_code(), "not_allowed") << refused.body;
  // A disabled customer's license no longer serves.
  ok(root_token_, "POST", "/v1/customers/" + std::to_string(customer_) + "/status",
     {{"status", "disabled"}});
  EXPECT_EQ(status_of(seat.request("CHECKOUT code=" + code_ + " user=fay host=ws6")),
            "license_expired");

  const std::string at = std::to_string(kNowMs);
  EXPECT_EQ(events(), (std::vector<std::string>{
                          "checkout||5|ann|ws1|127.0.0.2|" + at + "|-",
                          "denial|no_seats|2|dee|ws4|127.0.0.2|" + at + "|-",
                          "denial|product_not_licensed|1|dee|ws4|127.0.0.2|" + at + "|-",
                          "denial|not_allowed|1|zed|x|127.0.0.1|" + at + "|-",
                          "denial|license_expired|1|fay|ws6|127.0.0.2|" + at + "|-",
                      }));
}

// A `wait=` checkout records when it was queued and how its wait ended: served (with its
// checkout), timed out (and denied no_seats), left by its client, or ended by the server stopping.
TEST_P(UsageRecordsTest, WaitsAreRecordedFromQueueToOutcome) {
  LineClient seat(server_->port(), "127.0.0.2");
  const auto ann = fields_of(seat.request("CHECKOUT code=" + code_ + " user=ann host=ws1 units=5"));
  ASSERT_EQ(ann.count("lease"), 1u);
  const std::string at = std::to_string(kNowMs);

  LineClient bob(server_->port(), "127.0.0.2");
  bob.send("CHECKOUT code=" + code_ + " user=bob host=ws2 wait=60");
  ASSERT_EQ(events_once(2).size(), 2u);
  ASSERT_EQ(status_of(seat.request("CHECKIN lease=" + ann.at("lease"))), "OK");
  ASSERT_EQ(status_of(bob.read_line().value_or("")), "OK");
  std::vector<std::string> expected = {
      "checkout||5|ann|ws1|127.0.0.2|" + at + "|-",
      "wait_started||1|bob|ws2|127.0.0.2|" + at + "|-",
      "checkin||5|ann|ws1|127.0.0.2|" + at + "|" + at,
      "checkout||1|bob|ws2|127.0.0.2|" + at + "|-",
      "wait_ended|granted|1|bob|ws2|127.0.0.2|" + at + "|" + at,
  };
  EXPECT_EQ(events(), expected);

  // Four units free; cy waits for five, two seconds.
  LineClient cy(server_->port(), "127.0.0.2");
  cy.send("CHECKOUT code=" + code_ + " user=cy host=ws3 units=5 wait=2");
  ASSERT_EQ(events_once(expected.size() + 1).size(), expected.size() + 1);
  server_->advance_seconds(3);
  ASSERT_EQ(status_of(cy.read_line().value_or("")), "no_seats");
  const std::string later = std::to_string(kNowMs + 3000);
  expected.push_back("wait_started||5|cy|ws3|127.0.0.2|" + at + "|-");
  expected.push_back("wait_ended|timeout|5|cy|ws3|127.0.0.2|" + later + "|" + at);
  expected.push_back("denial|no_seats|5|cy|ws3|127.0.0.2|" + later + "|-");
  EXPECT_EQ(events(), expected);

  // dee's client leaves while it waits: not a denial, nobody was told no.
  {
    LineClient dee(server_->port(), "127.0.0.2");
    dee.send("CHECKOUT code=" + code_ + " user=dee host=ws4 units=5 wait=60");
    ASSERT_EQ(events_once(expected.size() + 1).size(), expected.size() + 1);
  }
  expected.push_back("wait_started||5|dee|ws4|127.0.0.2|" + later + "|-");
  expected.push_back("wait_ended|left|5|dee|ws4|127.0.0.2|" + later + "|" + later);
  EXPECT_EQ(events_once(expected.size()), expected);

  // eve still waits when the server stops.
  LineClient eve(server_->port(), "127.0.0.2");
  eve.send("CHECKOUT code=" + code_ + " user=eve host=ws5 units=5 wait=60");
  ASSERT_EQ(events_once(expected.size() + 1).size(), expected.size() + 1);
  server_->stop();
  expected.push_back("wait_started||5|eve|ws5|127.0.0.2|" + later + "|-");
  expected.push_back("wait_ended|shutdown|5|eve|ws5|127.0.0.2|" + later + "|" + later);
  EXPECT_EQ(events(), expected);
}

TEST_P(UsageRecordsTest, RecordsPastTheirRetentionArePruned) {
  LineClient seat(server_->port(), "127.0.0.2");
  const auto ann = fields_of(seat.request("CHECKOUT code=" + code_ + " user=ann host=ws1"));
  ASSERT_EQ(status_of(seat.request("CHECKIN lease=" + ann.at("lease"))), "OK");
  ASSERT_EQ(records().size(), 2u);
  // Just inside the retention (400 days) they stay; past it the sweeps delete them.
  server_->advance_seconds(400 * 86400 - 10);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(records().size(), 2u);
  server_->advance_seconds(20);
  EXPECT_TRUE(records_once(0).empty());
}

class UsageRecordsOffTest : public UsageRecordsTest {
 protected:
  void seed() override { config_.usage.records = false; }
};

INSTANTIATE_TEST_SUITE_P(Backends, UsageRecordsOffTest, kStorageBackends, backend_name);

TEST_P(UsageRecordsOffTest, NothingIsRecordedWhenTheRecordsAreOff) {
  LineClient seat(server_->port(), "127.0.0.2");
  const auto ann = fields_of(seat.request("CHECKOUT code=" + code_ + " user=ann host=ws1"));
  ASSERT_EQ(status_of(seat.request("CHECKIN lease=" + ann.at("lease"))), "OK");
  EXPECT_TRUE(records().empty());
}

}  // namespace
}  // namespace lmp::test
