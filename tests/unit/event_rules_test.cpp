// The event rules on values (domain/event_rules.hpp): when a license's notice, grace and expiry
// events fall due and in which sweep window, what a cut-off license raises, the products'
// approaching dates; and the webhooks' signature and retry schedule (domain/webhook_delivery.hpp)
// against an independent HMAC (RFC 4231, test case 2).
#include <gtest/gtest.h>

#include "domain/event_rules.hpp"
#include "domain/webhook_delivery.hpp"

namespace lmp::domain {
namespace {

constexpr std::int64_t kT = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

License license() {
  License l;
  l.id = 7;
  l.customer_id = 3;
  l.scope = "/1/c3/";
  l.product_code = "cad";
  l.expires_at_ms = kT + 10 * kDayMs;
  l.notice_days = 3;
  l.grace_ms = 2 * kDayMs;
  return l;
}

// The events of sweeps an hour apart over [from, to).
std::vector<NewEvent> hourly(const License& l, std::int64_t from, std::int64_t to) {
  std::vector<NewEvent> out;
  for (std::int64_t t = from; t < to; t += 3'600'000)
    for (auto& e : license_events(l, t, t + 3'600'000)) out.push_back(std::move(e));
  return out;
}

std::vector<std::string> types(const std::vector<NewEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.type);
  return out;
}

TEST(EventRules, EachLicenseEventIsDueInExactlyOneWindow) {
  const License l = license();
  // Windows of one hour across the license's life: each event lands in one of them only.
  std::vector<std::string> all;
  for (std::int64_t t = kT; t < kT + 15 * kDayMs; t += 3'600'000)
    for (const auto& type : types(license_events(l, t, t + 3'600'000))) all.push_back(type);
  EXPECT_EQ(all, (std::vector<std::string>{"license.expiring", "license.grace_entered",
                                           "license.expired"}));
  // The window's end is inclusive, its start not.
  const std::int64_t notice = l.expires_at_ms - 3 * kDayMs;
  EXPECT_EQ(types(license_events(l, notice - 1, notice)),
            std::vector<std::string>{"license.expiring"});
  EXPECT_TRUE(license_events(l, notice, notice + 1).empty());
}

TEST(EventRules, KeysNameTheExpirySoARenewalIsToldAgain) {
  License l = license();
  const auto before = hourly(l, kT, kT + 20 * kDayMs);
  l.expires_at_ms += 30 * kDayMs;
  const auto after = hourly(l, kT + 20 * kDayMs, kT + 50 * kDayMs);
  ASSERT_EQ(before.size(), 3u);
  ASSERT_EQ(after.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_NE(before[i].dedupe_key, after[i].dedupe_key);
  EXPECT_EQ(before[2].dedupe_key, "license:7:license.expired:" + std::to_string(kT + 10 * kDayMs));
  EXPECT_EQ(before[0].scope, "/1/c3/");
}

TEST(EventRules, NoNoticeDaysNoGraceAndCutOffLicenses) {
  License l = license();
  l.notice_days = 0;
  l.grace_ms = 0;
  EXPECT_EQ(types(hourly(l, kT, kT + 20 * kDayMs)), std::vector<std::string>{"license.expired"});
  l.cut_off_at_ms = kT + kDayMs;
  EXPECT_TRUE(hourly(l, kT, kT + 20 * kDayMs).empty());
  // A sweep that first looks after the expiry tells of the expiry, not of a notice.
  l = license();
  EXPECT_EQ(types(license_events(l, l.expires_at_ms - 4 * kDayMs, l.expires_at_ms + 1)),
            (std::vector<std::string>{"license.grace_entered"}));
}

TEST(EventRules, ProductDatesAreToldFromThirtyDaysAheadUntilTheyPass) {
  ProductLifecycle lifecycle;
  lifecycle.end_of_sale_ms = kT + 40 * kDayMs;
  EXPECT_TRUE(product_events("cad", lifecycle, "/1/", kT).empty());
  const auto due = product_events("cad", lifecycle, "/1/", kT + 10 * kDayMs);
  ASSERT_EQ(types(due), std::vector<std::string>{"product.end_of_sale_approaching"});
  EXPECT_EQ(due[0].scope, "/1/");
  EXPECT_EQ(due[0].dedupe_key,
            "product:cad:product.end_of_sale_approaching:" + std::to_string(kT + 40 * kDayMs));
  EXPECT_TRUE(product_events("cad", lifecycle, "/1/", kT + 40 * kDayMs).empty());
}

TEST(WebhookDelivery, SignatureIsTheHmacSha256OfTheBody) {
  // RFC 4231 test case 2.
  EXPECT_EQ(webhook_signature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(WebhookDelivery, RetriesDoubleUpToAnHour) {
  EXPECT_EQ(retry_delay_ms(1), 5'000);
  EXPECT_EQ(retry_delay_ms(2), 10'000);
  EXPECT_EQ(retry_delay_ms(3), 20'000);
  EXPECT_EQ(retry_delay_ms(10), 2'560'000);
  EXPECT_EQ(retry_delay_ms(11), kMaxRetryDelayMs);
  EXPECT_EQ(retry_delay_ms(1000), kMaxRetryDelayMs);
}

}  // namespace
}  // namespace lmp::domain
