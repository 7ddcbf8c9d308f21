// Usage records through the real listeners on each storage backend: one row per checkout (new or
// the holder's repeated one), checkin, expiry reclaim, administrator's release and End-of-Life
// deletion, none per heartbeat, each with its holder and the license's place in the tree; pruned
// once past their retention; none written when usage.records is off.
#include <soci/soci.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "admin_fixture.hpp"
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
  // A refused checkout changes nothing and records nothing (denials are not recorded yet).
  EXPECT_EQ(status_of(seat.request("CHECKOUT code=" + code_ + " user=dee units=9")), "no_seats");

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
  ok(root_token_, "POST", "/v1/products/cad/end-of-life");
  rows = records();
  ASSERT_EQ(rows.size(), before_expiry.size() + 3);
  EXPECT_EQ(rows.back(),
            record("end_of_life", "1", "eve", "ws5", kNowMs + 301'000, kNowMs + 301'000));
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
