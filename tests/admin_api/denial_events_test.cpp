// The denials event through the real seat listener and admin API on a ManualClock, on each
// storage backend: with `events.denials_per_hour: 3`, a product's fourth refused checkout of a
// clock hour raises product.denials_exceeded once for the tree (the parent's) and once for the
// partner whose customer was refused (the partner's); more denials that hour raise nothing more;
// the next hour is told again.
#include <chrono>
#include <set>
#include <thread>

#include "admin_fixture.hpp"
#include "support/line_client.hpp"

namespace lmp::test {
namespace {

namespace json = boost::json;

class DenialEvents : public AdminApiTest {
 protected:
  void configure(config::Config& config) override {
    config.events.denials_per_hour = 3;
    config.events.sweep_interval_ms = kTestEventSweepMs;
  }

  void SetUp() override {
    AdminApiTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    wait_for_event_sweep();
    msp_ = make_partner("fabrikam", "msp");
    msp_admin_ = make_user("fabrikam-admin", "account", msp_).token;
    const auto customer = make_customer("acme", msp_);
    code_ =
        std::string(ok(root_token_, "POST", "/v1/licenses",
                       {{"customer", customer}, {"product", "cad"}, {"units", 1}, {"days", 365}})
                        .at("code")
                        .as_string());
  }
  // `count` checkouts of more units than the license has: each refused, each a denial.
  void deny(int count) {
    LineClient seat(server_->port());
    for (int i = 0; i < count; ++i) {
      const auto reply = seat.request("CHECKOUT code=" + code_ + " user=u host=h units=2");
      ASSERT_EQ(reply.rfind("ERR ", 0), 0u) << reply;
    }
  }
  // The denial events `token` sees, as (hour, partner or 0) pairs.
  std::multiset<std::pair<std::int64_t, std::int64_t>> seen(const std::string& token) {
    std::multiset<std::pair<std::int64_t, std::int64_t>> out;
    const auto page = ok(token, "GET", "/v1/events?type=product.denials_exceeded&limit=1000");
    for (const auto& item : page.at("items").as_array()) {
      const auto& data = item.at("data").as_object();
      EXPECT_EQ(data.at("product"), "cad");
      EXPECT_EQ(data.at("threshold"), 3);
      out.emplace(data.at("hour").as_int64(),
                  data.contains("partner") ? data.at("partner").as_int64() : 0);
    }
    return out;
  }
  void sweep_after(std::int64_t seconds) {
    server_->advance_seconds(seconds);
    wait_for_event_sweep();
  }

  std::int64_t msp_ = 0;
  std::string msp_admin_;
  std::string code_;
};

INSTANTIATE_TEST_SUITE_P(Backends, DenialEvents, kStorageBackends, backend_name);

TEST_P(DenialEvents, MoreDenialsThanTheThresholdInAnHourAreToldOncePerHourAndSubtree) {
  using Seen = std::multiset<std::pair<std::int64_t, std::int64_t>>;
  deny(3);
  sweep_after(60);
  EXPECT_TRUE(seen(root_token_).empty()) << "three is not more than three";
  deny(1);
  sweep_after(60);
  EXPECT_EQ(seen(root_token_), (Seen{{kNow, 0}, {kNow, msp_}}));
  EXPECT_EQ(seen(msp_admin_), (Seen{{kNow, msp_}})) << "the partner sees its own subtree's";
  const auto page = ok(root_token_, "GET", "/v1/events?type=product.denials_exceeded");
  EXPECT_EQ(page.at("items").at(0).at("data").at("denials"), 4);

  // More denials that hour, and more sweeps: nothing more.
  deny(5);
  sweep_after(60);
  sleep_through_event_sweeps(5);
  EXPECT_EQ(seen(root_token_).size(), 2u);

  // The next clock hour counts afresh.
  sweep_after(3600);
  deny(4);
  sweep_after(60);
  EXPECT_EQ(seen(root_token_),
            (Seen{{kNow, 0}, {kNow, msp_}, {kNow + 3600, 0}, {kNow + 3600, msp_}}));
}

}  // namespace
}  // namespace lmp::test
