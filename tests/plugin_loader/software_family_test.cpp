// The `software` family's rules, exercised through the built plugin exactly as the daemon calls
// it: product checks, lease terms, holder identity and the seat limit.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "plugin/loader.hpp"
#include "test_support.hpp"

namespace lmp::plugin::test {
namespace {

using Verdict = sdk::CheckoutDecision::Verdict;

class SoftwareFamilyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    host_ = new RecordingHost;
    auto result = load_family_plugin(kSoftwarePlugin, *host_);
    ASSERT_TRUE(std::holds_alternative<LoadedFamily>(result)) << refusal(result);
    family_ = std::get<LoadedFamily>(result).family;
  }
  static void TearDownTestSuite() {
    family_.reset();
    delete host_;
    host_ = nullptr;
  }

  static sdk::ProductInfo product(sdk::UnitType unit,
                                  std::map<std::string, std::string> settings = {}) {
    sdk::ProductInfo info;
    info.code = "CAD-PRO";
    info.name = "CAD Professional";
    info.family = "software";
    info.unit = unit;
    info.settings = std::move(settings);
    info.default_lease_seconds = 300;
    info.default_heartbeat_seconds = 60;
    return info;
  }

  static std::string check(std::map<std::string, std::string> settings,
                           sdk::UnitType unit = sdk::UnitType::seats) {
    return family_->check_product(product(unit, std::move(settings)));
  }

  static sdk::CheckoutDecision decide(const sdk::ProductInfo& info, std::int64_t license_units,
                                      std::int64_t in_use, std::int64_t requested) {
    sdk::CheckoutContext context;
    context.product = &info;
    context.license_units = license_units;
    context.units_in_use = in_use;
    context.units_requested = requested;
    context.now_unix_ms = 1'700'000'000'000;
    return family_->decide_checkout(context);
  }

  static RecordingHost* host_;
  static std::shared_ptr<sdk::Family> family_;
};

RecordingHost* SoftwareFamilyTest::host_ = nullptr;
std::shared_ptr<sdk::Family> SoftwareFamilyTest::family_;

TEST_F(SoftwareFamilyTest, AcceptsSeatsAndEndpointsWithoutSettings) {
  EXPECT_EQ(check({}, sdk::UnitType::seats), "");
  EXPECT_EQ(check({}, sdk::UnitType::endpoints), "");
}

TEST_F(SoftwareFamilyTest, RejectsUsers) {
  EXPECT_EQ(check({}, sdk::UnitType::users),
            "family software counts seats, endpoints or encryption_keys, not users");
}

TEST_F(SoftwareFamilyTest, EncryptionKeysArePermanentUnlessTheProductSaysOtherwise) {
  EXPECT_EQ(check({}, sdk::UnitType::encryption_keys), "");
  EXPECT_TRUE(family_->permanent(product(sdk::UnitType::encryption_keys)));
  EXPECT_FALSE(
      family_->permanent(product(sdk::UnitType::encryption_keys, {{"permanent", "false"}})));
  EXPECT_FALSE(family_->permanent(product(sdk::UnitType::seats)));
  EXPECT_TRUE(family_->permanent(product(sdk::UnitType::endpoints, {{"permanent", "true"}})));
  // Each key is an allocation of its own, so no holder key ties two checkouts together.
  const auto identity =
      family_->identify_holder(product(sdk::UnitType::encryption_keys), {"ws-17", "alice", 2});
  EXPECT_EQ(identity.denial, sdk::Denial::none);
  EXPECT_EQ(identity.key, "");
}

TEST_F(SoftwareFamilyTest, AcceptsLeaseAndHeartbeatSettings) {
  EXPECT_EQ(check({{"lease_seconds", "600"}, {"heartbeat_seconds", "120"}}), "");
  EXPECT_EQ(check({{"lease_seconds", "10"}}), "");
  EXPECT_EQ(check({{"lease_seconds", "604800"}}), "");
  EXPECT_EQ(check({{"lease_seconds", "600"}, {"heartbeat_seconds", "599"}}), "");
  EXPECT_EQ(check({{"lease_seconds", "600"}, {"heartbeat_seconds", "1"}}), "");
  EXPECT_EQ(check({{"heartbeat_seconds", "299"}}), "");  // below the site's 300 s lease
}

// Unknown names are the daemon's to refuse, from this schema (tests/seat/product_catalog_test).
TEST_F(SoftwareFamilyTest, DeclaresItsSettingsSchema) {
  const auto schema = family_->settings_schema();
  ASSERT_TRUE(schema.has_value());
  ASSERT_EQ(schema->size(), 3u);
  EXPECT_EQ((*schema)[0].key, "lease_seconds");
  EXPECT_EQ((*schema)[0].min, 10);
  EXPECT_EQ((*schema)[0].max, 604800);
  EXPECT_EQ((*schema)[1].key, "heartbeat_seconds");
  EXPECT_EQ(family_->overage_percent(sdk::ProductInfo{}), 0);
}

TEST_F(SoftwareFamilyTest, RejectsLeaseOutOfRangeOrNotAnInteger) {
  for (const char* bad : {"9", "604801", "-20", "0", "abc", "10s", " 60", "", "1e3"}) {
    EXPECT_EQ(check({{"lease_seconds", bad}}),
              std::string("lease_seconds must be an integer from 10 to 604800, not '") + bad + "'");
  }
}

TEST_F(SoftwareFamilyTest, RejectsHeartbeatNotBelowTheLease) {
  EXPECT_EQ(check({{"lease_seconds", "600"}, {"heartbeat_seconds", "600"}}),
            "heartbeat_seconds must be an integer from 1 to 599 (below the 600-second lease), "
            "not '600'");
  EXPECT_EQ(check({{"lease_seconds", "600"}, {"heartbeat_seconds", "0"}}),
            "heartbeat_seconds must be an integer from 1 to 599 (below the 600-second lease), "
            "not '0'");
  EXPECT_EQ(check({{"heartbeat_seconds", "often"}}),
            "heartbeat_seconds must be an integer from 1 to 299 (below the 300-second lease), "
            "not 'often'");
  // Without lease_seconds the bound is the site default lease.
  EXPECT_EQ(check({{"heartbeat_seconds", "300"}}),
            "heartbeat_seconds must be an integer from 1 to 299 (below the 300-second lease), "
            "not '300'");
}

TEST_F(SoftwareFamilyTest, LeaseTermsDefaultToTheSite) {
  const auto terms = family_->lease_terms(product(sdk::UnitType::seats));
  EXPECT_EQ(terms.lease_seconds, 300);
  EXPECT_EQ(terms.heartbeat_seconds, 60);
}

TEST_F(SoftwareFamilyTest, LeaseTermsFollowTheSettings) {
  auto terms = family_->lease_terms(
      product(sdk::UnitType::seats, {{"lease_seconds", "900"}, {"heartbeat_seconds", "90"}}));
  EXPECT_EQ(terms.lease_seconds, 900);
  EXPECT_EQ(terms.heartbeat_seconds, 90);

  terms = family_->lease_terms(product(sdk::UnitType::seats, {{"lease_seconds", "900"}}));
  EXPECT_EQ(terms.lease_seconds, 900);
  EXPECT_EQ(terms.heartbeat_seconds, 60);  // the site heartbeat still fits

  terms = family_->lease_terms(product(sdk::UnitType::endpoints, {{"heartbeat_seconds", "15"}}));
  EXPECT_EQ(terms.lease_seconds, 300);
  EXPECT_EQ(terms.heartbeat_seconds, 15);
}

TEST_F(SoftwareFamilyTest, ShortLeaseGetsAThirdAsHeartbeat) {
  auto terms = family_->lease_terms(product(sdk::UnitType::seats, {{"lease_seconds", "60"}}));
  EXPECT_EQ(terms.lease_seconds, 60);
  EXPECT_EQ(terms.heartbeat_seconds, 20);

  terms = family_->lease_terms(product(sdk::UnitType::seats, {{"lease_seconds", "10"}}));
  EXPECT_EQ(terms.lease_seconds, 10);
  EXPECT_EQ(terms.heartbeat_seconds, 3);

  auto tiny = product(sdk::UnitType::seats);
  tiny.default_lease_seconds = 2;
  terms = family_->lease_terms(tiny);
  EXPECT_EQ(terms.lease_seconds, 2);
  EXPECT_EQ(terms.heartbeat_seconds, 1);
}

TEST_F(SoftwareFamilyTest, EndpointIsKeyedByHost) {
  const auto info = product(sdk::UnitType::endpoints);
  const auto first = family_->identify_holder(info, {"ws-17", "alice", 1});
  EXPECT_EQ(first.denial, sdk::Denial::none);
  EXPECT_EQ(first.key, "host:ws-17");
  // The machine is the holder, whoever is logged in.
  EXPECT_EQ(family_->identify_holder(info, {"ws-17", "bob", 1}).key, "host:ws-17");
  EXPECT_EQ(family_->identify_holder(info, {"ws-17", "", 1}).key, "host:ws-17");
}

TEST_F(SoftwareFamilyTest, EndpointNeedsHostAndExactlyOneUnit) {
  const auto info = product(sdk::UnitType::endpoints);
  const auto no_host = family_->identify_holder(info, {"", "alice", 1});
  EXPECT_EQ(no_host.denial, sdk::Denial::bad_request);
  EXPECT_EQ(no_host.message, "missing field host");
  EXPECT_EQ(no_host.key, "");

  const auto two = family_->identify_holder(info, {"ws-17", "", 2});
  EXPECT_EQ(two.denial, sdk::Denial::bad_request);
  EXPECT_EQ(two.message, "an endpoint takes exactly one unit");
}

TEST_F(SoftwareFamilyTest, SeatIsKeyedByUserAndHost) {
  const auto info = product(sdk::UnitType::seats);
  EXPECT_EQ(family_->identify_holder(info, {"ws-17", "alice", 1}).key, "seat:alice@ws-17");
  EXPECT_EQ(family_->identify_holder(info, {"ws-18", "alice", 1}).key, "seat:alice@ws-18");
  EXPECT_EQ(family_->identify_holder(info, {"", "alice", 1}).key, "seat:alice@");
  EXPECT_EQ(family_->identify_holder(info, {"ws-17", "", 1}).key, "seat:@ws-17");
  EXPECT_EQ(family_->identify_holder(info, {"ws-17", "alice", 3}).key, "seat:alice@ws-17");
}

TEST_F(SoftwareFamilyTest, NoTwoUserAndHostPairsShareASeatKey) {
  const auto info = product(sdk::UnitType::seats);
  const auto key = [&](const char* host, const char* user) {
    return family_->identify_holder(info, {host, user, 1}).key;
  };
  EXPECT_NE(key("ws2", "alice@ws1"), key("ws1@ws2", "alice"));
  EXPECT_EQ(key("ws2", "alice@ws1"), "seat:alice%40ws1@ws2");
  EXPECT_EQ(key("ws1@ws2", "alice"), "seat:alice@ws1@ws2");
  // The escape character itself is escaped, so an escaped-looking user stays apart too.
  EXPECT_EQ(key("ws2", "alice%40ws1"), "seat:alice%2540ws1@ws2");
  EXPECT_NE(key("", "a@"), key("", "a"));
  EXPECT_NE(key("@", "a"), key("", "a@"));
}

TEST_F(SoftwareFamilyTest, AnonymousSeatHasNoKey) {
  const auto identity = family_->identify_holder(product(sdk::UnitType::seats), {"", "", 1});
  EXPECT_EQ(identity.denial, sdk::Denial::none);
  EXPECT_EQ(identity.key, "");
}

TEST_F(SoftwareFamilyTest, SeatRequestNeedsAtLeastOneUnit) {
  const auto identity =
      family_->identify_holder(product(sdk::UnitType::seats), {"ws-17", "alice", 0});
  EXPECT_EQ(identity.denial, sdk::Denial::bad_request);
  EXPECT_EQ(identity.message, "units must be at least 1");
}

TEST_F(SoftwareFamilyTest, UnsupportedUnitHolderIsNotLicensed) {
  const auto identity =
      family_->identify_holder(product(sdk::UnitType::users), {"ws-17", "alice", 1});
  EXPECT_EQ(identity.denial, sdk::Denial::product_not_licensed);
  EXPECT_EQ(identity.message,
            "family software counts seats, endpoints or encryption_keys, not users");
}

TEST_F(SoftwareFamilyTest, GrantsUpToTheLimitAndDeniesTheNext) {
  const auto info = product(sdk::UnitType::seats);
  constexpr std::int64_t kLicensed = 5;
  std::int64_t in_use = 0;
  for (int i = 1; i <= kLicensed; ++i) {
    const auto decision = decide(info, kLicensed, in_use, 1);
    ASSERT_EQ(decision.verdict, Verdict::grant) << "checkout " << i;
    EXPECT_EQ(decision.denial, sdk::Denial::none);
    EXPECT_EQ(decision.units, 1);
    in_use += decision.units;
  }
  const auto denied = decide(info, kLicensed, in_use, 1);
  EXPECT_EQ(denied.verdict, Verdict::deny);
  EXPECT_EQ(denied.denial, sdk::Denial::no_seats);
  EXPECT_EQ(denied.message, "all 5 seats in use");
}

TEST_F(SoftwareFamilyTest, EndpointLimitNamesEndpoints) {
  const auto info = product(sdk::UnitType::endpoints);
  EXPECT_EQ(decide(info, 2, 1, 1).verdict, Verdict::grant);
  const auto denied = decide(info, 2, 2, 1);
  EXPECT_EQ(denied.verdict, Verdict::deny);
  EXPECT_EQ(denied.denial, sdk::Denial::no_seats);
  EXPECT_EQ(denied.message, "all 2 endpoints in use");
}

TEST_F(SoftwareFamilyTest, HolderWithALeaseIsReusedEvenWhenFull) {
  const auto info = product(sdk::UnitType::seats);
  sdk::CheckoutContext context;
  context.product = &info;
  context.license_units = 5;
  context.units_in_use = 5;
  context.units_requested = 1;
  context.holder_has_lease = true;
  context.holder_units = 1;
  const auto decision = family_->decide_checkout(context);
  EXPECT_EQ(decision.verdict, Verdict::reuse);
  EXPECT_EQ(decision.denial, sdk::Denial::none);
  EXPECT_EQ(decision.units, 1);
}

TEST_F(SoftwareFamilyTest, SeatCheckoutCanTakeSeveralUnits) {
  const auto info = product(sdk::UnitType::seats);
  const auto granted = decide(info, 5, 2, 3);
  EXPECT_EQ(granted.verdict, Verdict::grant);
  EXPECT_EQ(granted.units, 3);

  const auto denied = decide(info, 5, 2, 4);
  EXPECT_EQ(denied.verdict, Verdict::deny);
  EXPECT_EQ(denied.denial, sdk::Denial::no_seats);
  EXPECT_EQ(denied.message, "only 3 of 5 seats free, 4 requested");

  EXPECT_EQ(decide(info, 5, 0, 6).message, "only 5 of 5 seats free, 6 requested");
}

TEST_F(SoftwareFamilyTest, CheckoutOfNoUnitsIsABadRequest) {
  const auto decision = decide(product(sdk::UnitType::seats), 5, 0, 0);
  EXPECT_EQ(decision.verdict, Verdict::deny);
  EXPECT_EQ(decision.denial, sdk::Denial::bad_request);
}

TEST_F(SoftwareFamilyTest, DoesNotLogOnTheRequestPath) {
  const auto info = product(sdk::UnitType::seats);
  family_->identify_holder(info, {"ws-17", "alice", 1});
  decide(info, 1, 1, 1);
  EXPECT_TRUE(host_->records.empty());
}

}  // namespace
}  // namespace lmp::plugin::test
