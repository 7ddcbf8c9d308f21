// The seat rules on their own: SeatDecisions over a real SQLite store (and the caching store over
// it) at moments a ManualClock sets, with no service thread and no queue. Each decision runs in a
// transaction of its own, as a batch of one.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/activation_code.hpp"
#include "core/calendar.hpp"
#include "core/clock.hpp"
#include "core/sha256.hpp"
#include "domain/borrow_token.hpp"
#include "domain/signing_keys.hpp"
#include "plugin/daemon_host.hpp"
#include "plugin/registry.hpp"
#include "seat/seat_decisions.hpp"
#include "storage/caching_seat_store.hpp"
#include "storage/seat_store.hpp"
#include "storage/sql_unit_of_work.hpp"
#include "support/forwarding_seat_store.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

using seat::SeatError;

constexpr std::int64_t kHourMs = 3600000;
constexpr std::int64_t kDayMs = 24 * kHourMs;

// A family whose decisions the test scripts, to check what the server does with any answer.
class ScriptedFamily final : public sdk::Family {
 public:
  std::function<sdk::CheckoutDecision(const sdk::CheckoutContext&)> decide;
  std::int64_t overage = 0;

  std::string check_product(const sdk::ProductInfo&) const override { return {}; }
  sdk::LeaseTerms lease_terms(const sdk::ProductInfo&) const override { return {120, 30}; }
  sdk::HolderIdentity identify_holder(const sdk::ProductInfo&,
                                      const sdk::HolderRequest& request) const override {
    sdk::HolderIdentity identity;
    if (!request.host.empty()) identity.key = "host:" + std::string(request.host);
    return identity;
  }
  sdk::CheckoutDecision decide_checkout(const sdk::CheckoutContext& context) const override {
    return decide(context);
  }
  std::int64_t overage_percent(const sdk::ProductInfo&) const override { return overage; }
  bool permanent(const sdk::ProductInfo&) const override { return allocations; }
  bool allocations = false;  // checkouts are permanent allocations
};

sdk::CheckoutDecision grant(std::int64_t units) {
  sdk::CheckoutDecision d;
  d.verdict = sdk::CheckoutDecision::Verdict::grant;
  d.denial = sdk::Denial::none;
  d.units = units;
  return d;
}

// Every lease change the decisions report, in order.
class RecordedEvents final : public seat::LeaseEvents {
 public:
  void lease_changed(seat::LeaseChange change, const storage::LeaseRecord& lease, std::int64_t,
                     storage::SeatStore&) override {
    changes.emplace_back(change, lease);
  }
  std::vector<std::pair<seat::LeaseChange, storage::LeaseRecord>> changes;
};

// A gate that refuses whatever `refuse` says to, and remembers what it saw.
class ScriptedGate final : public seat::CheckoutGate {
 public:
  std::function<seat::SeatResult(const seat::CheckoutCandidate&)> refuse;
  std::vector<std::string> holders_seen;
  std::vector<bool> held_seen;

  seat::SeatResult check(const seat::CheckoutCandidate& checkout, storage::SeatStore&) override {
    holders_seen.push_back(checkout.holder);
    held_seen.push_back(checkout.held != nullptr);
    return refuse ? refuse(checkout) : seat::SeatResult{};
  }
};

std::string field(const seat::SeatResult& result, const std::string& key) {
  for (const auto& [k, v] : result.fields)
    if (k == key) return v;
  return "<none>";
}

// The parameter: whether the caching store sits over the SQLite store.
class SeatDecisionsTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    config_ = base_config(dir_.path());
    add_product(config_, "tool", "scripted", sdk::UnitType::seats);
    add_product(config_, "render", "software", sdk::UnitType::endpoints);
    add_product(config_, "studio", "suite", sdk::UnitType::endpoints, {"agent", "render"});
    family_->decide = [](const sdk::CheckoutContext& context) {
      return grant(context.units_requested);
    };
    std::vector<plugin::LoadFailure> failures;
    registry_.load_directory(config_.plugin_directory, host_, failures);
    ASSERT_TRUE(failures.empty());
    registry_.add({"scripted", "1", "in-process", family_, 1});
    build_catalog();
    store_ = storage::open_sqlite(config_.storage);
    if (GetParam()) store_ = storage::make_caching_store(std::move(store_));
  }

  // The catalog from config_ as it is now (change the config's products, then call this).
  void build_catalog() {
    std::vector<std::string> errors;
    catalog_ = seat::ProductCatalog::build(config_, registry_, errors);
    ASSERT_TRUE(errors.empty()) << errors.front();
  }

  // A license of `units` on `product`, valid from a day ago for a year unless `spec` says else.
  std::string license(const std::string& product, std::int64_t units,
                      std::function<void(storage::NewLicense&)> spec = {}) {
    const std::string code = activation_code::generate();
    storage::NewLicense l;
    auto customer = store_->find_customer("acme");
    l.customer_id = customer ? *customer : store_->create_customer("acme", kTestEpochMs);
    l.product_code = product;
    l.units = units;
    l.unit = product == "agent" || product == "render" || product == "studio"
                 ? domain::UnitType::endpoints
                 : domain::UnitType::seats;
    l.starts_at_ms = kTestEpochMs - kDayMs;
    l.expires_at_ms = kTestEpochMs + 365 * kDayMs;
    l.created_at_ms = l.starts_at_ms;
    if (spec) spec(l);
    l.code_hash = sha256_hex(code);
    store_->create_license(l);
    return activation_code::format(code);
  }

  // Runs `decide` as a batch of one at the clock's time, judging licenses at `license_now_`
  // when set (the server's mark, in the service), and writes the marks that are due.
  seat::SeatResult decide(const std::function<seat::SeatResult(seat::SeatDecisions&)>& decision) {
    store_->begin();
    seat::SeatDecisions decisions(*store_, *catalog_, clock_.now_unix_ms(), gates_, events_,
                                  Env::posix(), /*instance=*/{}, license_now_);
    seat::SeatResult result = decision(decisions);
    product_ = decisions.product();
    if (write_marks_) decisions.write_clock_marks();
    store_->commit();
    return result;
  }

  seat::SeatResult checkout(const std::string& code, const std::string& host = {},
                            std::int64_t units = 1, const std::string& product = {},
                            std::int64_t borrow_seconds = 0, const std::string& user = {}) {
    seat::SeatCommand cmd;
    cmd.op = seat::Operation::checkout;
    cmd.code = code;
    cmd.host = host;
    cmd.user = user;
    cmd.units = units;
    cmd.product = product;
    cmd.borrow_seconds = borrow_seconds;
    return decide([&](seat::SeatDecisions& d) { return d.checkout(cmd, details_); });
  }
  seat::SeatResult borrow(const std::string& code, std::int64_t seconds, std::int64_t units = 1) {
    return checkout(code, "laptop1", units, {}, seconds, "ann");
  }
  // The server's signing key, made as lmpd makes it at its first start (through the domain's
  // own session on the same database); returns it with its private key.
  domain::SigningKey make_signing_key() {
    auto db = storage::open_unit_of_work(config_.storage);
    domain::Transaction tx(*db, domain::TransactionMode::write);
    domain::ensure_signing_key(db->signing_keys(), kTestEpochMs, Env::posix());
    auto key = db->signing_keys().active();
    tx.commit();
    return *key;
  }
  seat::SeatResult on_lease(seat::Operation op, const std::string& lease) {
    seat::SeatCommand cmd;
    cmd.op = op;
    cmd.lease = lease;
    return decide([&](seat::SeatDecisions& d) {
      return op == seat::Operation::heartbeat ? d.heartbeat(cmd) : d.checkin(cmd);
    });
  }
  seat::SeatResult heartbeat(const std::string& lease) {
    return on_lease(seat::Operation::heartbeat, lease);
  }
  seat::SeatResult checkin(const std::string& lease) {
    return on_lease(seat::Operation::checkin, lease);
  }
  seat::SeatResult status(const std::string& code, const std::string& product = {}) {
    seat::SeatCommand cmd;
    cmd.op = seat::Operation::status;
    cmd.code = code;
    cmd.product = product;
    return decide([&](seat::SeatDecisions& d) { return d.status(cmd); });
  }
  seat::SeatResult activate(const std::string& code) {
    seat::SeatCommand cmd;
    cmd.op = seat::Operation::activate;
    cmd.code = code;
    cmd.host = "pc1";
    cmd.user = "alice";
    return decide([&](seat::SeatDecisions& d) { return d.activate(cmd); });
  }
  std::string used(const std::string& code) { return field(status(code), "used"); }
  std::int64_t now_s() const { return clock_.now_unix_ms() / 1000; }

  TempDir dir_;
  config::Config config_;
  ManualClock clock_{kTestEpochMs};
  plugin::DaemonHost host_{clock_};
  plugin::FamilyRegistry registry_;
  std::shared_ptr<ScriptedFamily> family_ = std::make_shared<ScriptedFamily>();
  std::shared_ptr<const seat::ProductCatalog> catalog_;
  std::unique_ptr<storage::SeatStore> store_;
  std::vector<std::shared_ptr<seat::CheckoutGate>> gates_;
  RecordedEvents events_;
  seat::CheckoutDetails details_;
  std::string product_;  // the label of the last decision
  std::optional<std::int64_t> license_now_;
  bool write_marks_ = true;
};

INSTANTIATE_TEST_SUITE_P(Stores, SeatDecisionsTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Caching" : "Sqlite"; });

TEST_P(SeatDecisionsTest, GrantAnswersTheLeaseAndTakesItsUnits) {
  const auto code = license("cad", 5);
  auto granted = checkout(code, "pc1", 2);
  ASSERT_TRUE(granted.ok()) << granted.message;
  EXPECT_EQ(field(granted, "lease").size(), 32U);
  EXPECT_EQ(field(granted, "units"), "2");
  EXPECT_EQ(field(granted, "expires"), std::to_string(now_s() + 300));
  EXPECT_EQ(field(granted, "heartbeat"), "60");
  EXPECT_EQ(product_, "cad");
  ASSERT_EQ(events_.changes.size(), 1U);
  EXPECT_EQ(events_.changes[0].first, seat::LeaseChange::granted);
  EXPECT_EQ(events_.changes[0].second.id, field(granted, "lease"));
  EXPECT_EQ(events_.changes[0].second.holder, "seat:@pc1");
  auto now = status(code);
  EXPECT_EQ(field(now, "used"), "2");
  EXPECT_EQ(field(now, "free"), "3");
  EXPECT_EQ(field(now, "state"), "active");
}

TEST_P(SeatDecisionsTest, TheSameHolderReusesItsLeaseAndAnonymousCheckoutsDoNot) {
  const auto code = license("cad", 5);
  auto first = checkout(code, "pc1");
  clock_.advance_ms(10000);
  auto again = checkout(code, "pc1");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(field(again, "lease"), field(first, "lease"));
  // Reused, extended from now, and no further unit taken.
  EXPECT_EQ(field(again, "expires"), std::to_string(now_s() + 300));
  ASSERT_EQ(events_.changes.size(), 2U);
  EXPECT_EQ(events_.changes[1].first, seat::LeaseChange::reused);
  EXPECT_EQ(events_.changes[1].second.expires_at_ms, clock_.now_unix_ms() + 300000);
  EXPECT_EQ(used(code), "1");
  auto anonymous = checkout(code);
  auto other = checkout(code);
  EXPECT_NE(field(anonymous, "lease"), field(other, "lease"));
  EXPECT_EQ(used(code), "3");
}

TEST_P(SeatDecisionsTest, NoSeatsOnceEveryUnitIsTakenAndTheRequestMayWait) {
  const auto code = license("cad", 2);
  ASSERT_TRUE(checkout(code, "pc1").ok());
  auto too_many = checkout(code, "pc2", 2);
  EXPECT_EQ(too_many.error, SeatError::no_seats);
  EXPECT_EQ(too_many.message, "only 1 of 2 seats free, 2 requested");
  EXPECT_TRUE(details_.out_of_units);
  EXPECT_NE(details_.license_id, 0);
  ASSERT_TRUE(checkout(code, "pc2").ok());
  auto full = checkout(code, "pc3");
  EXPECT_EQ(full.error, SeatError::no_seats);
  EXPECT_EQ(full.message, "all 2 seats in use");
  EXPECT_EQ(used(code), "2");
}

// Units waited for by checkouts queued earlier, as the test sets them.
class FixedQueue final : public seat::QueuedUnits {
 public:
  std::int64_t queued_units(std::int64_t) const override { return units; }
  std::int64_t units = 0;
};

TEST_P(SeatDecisionsTest, UnitsQueuedCheckoutsWaitForAreNotGrantedToLaterOnes) {
  const auto code = license("cad", 5);
  ASSERT_TRUE(checkout(code, "pc1").ok());
  FixedQueue queue;
  queue.units = 3;
  seat::SeatCommand cmd;
  cmd.op = seat::Operation::checkout;
  cmd.code = code;
  cmd.host = "pc2";
  // 1 in use and 3 waited for: one of the 5 is still free.
  EXPECT_TRUE(
      decide([&](seat::SeatDecisions& d) { return d.checkout(cmd, details_, &queue); }).ok());
  cmd.host = "pc3";
  auto held = decide([&](seat::SeatDecisions& d) { return d.checkout(cmd, details_, &queue); });
  EXPECT_EQ(held.error, SeatError::no_seats);
  EXPECT_EQ(held.message, "the free seats are held for checkouts waiting before this one");
  EXPECT_TRUE(details_.out_of_units);
  // The head of the queue itself has nobody before it.
  EXPECT_TRUE(checkout(code, "pc3").ok());
  // A repeated checkout takes no unit and is not held back.
  cmd.host = "pc1";
  EXPECT_TRUE(
      decide([&](seat::SeatDecisions& d) { return d.checkout(cmd, details_, &queue); }).ok());
  // Nor is a request that could never fit worth a place in the queue.
  auto huge = checkout(code, "pc4", 6);
  EXPECT_EQ(huge.error, SeatError::no_seats);
  EXPECT_FALSE(details_.out_of_units);
}

TEST_P(SeatDecisionsTest, TheServerRefusesAGrantBeyondTheLicenseWhateverTheFamilySays) {
  const auto code = license("tool", 3);
  family_->decide = [](const sdk::CheckoutContext& context) {
    return grant(context.units_requested + 10);
  };
  auto over = checkout(code, "pc1");
  EXPECT_EQ(over.error, SeatError::no_seats);
  EXPECT_EQ(over.message, "all 3 seats in use");
  // The server's refusal is not the family's: the request does not wait for a unit.
  EXPECT_FALSE(details_.out_of_units);
  family_->decide = [](const sdk::CheckoutContext&) { return grant(0); };
  EXPECT_EQ(checkout(code, "pc1").error, SeatError::no_seats);
  EXPECT_TRUE(events_.changes.empty());
  EXPECT_EQ(used(code), "0");
  // Exactly up to the units is granted.
  family_->decide = [](const sdk::CheckoutContext&) { return grant(3); };
  EXPECT_TRUE(checkout(code, "pc1").ok());
  EXPECT_EQ(used(code), "3");
}

TEST_P(SeatDecisionsTest, AnOverageAllowanceRaisesTheCeilingAndStatusShowsIt) {
  family_->overage = 50;
  build_catalog();
  const auto code = license("tool", 4);
  family_->decide = [](const sdk::CheckoutContext&) { return grant(6); };
  EXPECT_TRUE(checkout(code, "pc1").ok());
  auto now = status(code);
  EXPECT_EQ(field(now, "allowance"), "2");
  EXPECT_EQ(field(now, "over"), "2");
  EXPECT_EQ(field(now, "free"), "0");
  family_->decide = [](const sdk::CheckoutContext&) { return grant(1); };
  auto beyond = checkout(code, "pc2");
  EXPECT_EQ(beyond.error, SeatError::no_seats);
  EXPECT_EQ(beyond.message, "all 4 seats in use, and the overage allowance of 2");
  // Without an allowance STATUS says nothing of one.
  EXPECT_EQ(field(status(license("cad", 4)), "allowance"), "<none>");
}

TEST_P(SeatDecisionsTest, AFailingOrInconsistentFamilyAnswersInternalAndWritesNothing) {
  const auto code = license("tool", 3);
  family_->decide = [](const sdk::CheckoutContext&) -> sdk::CheckoutDecision {
    throw std::runtime_error("plugin bug");
  };
  EXPECT_EQ(checkout(code, "pc1").error, SeatError::internal);
  family_->decide = [](const sdk::CheckoutContext&) {
    sdk::CheckoutDecision d;
    d.verdict = sdk::CheckoutDecision::Verdict::reuse;
    return d;
  };
  auto reused = checkout(code, "pc1");
  EXPECT_EQ(reused.error, SeatError::internal);
  EXPECT_EQ(reused.message, "family reused a lease that is not there");
  family_->decide = [](const sdk::CheckoutContext&) {
    sdk::CheckoutDecision d;
    d.denial = sdk::Denial::none;  // a denial without a reason breaks the contract
    return d;
  };
  EXPECT_EQ(checkout(code, "pc1").error, SeatError::internal);
  EXPECT_TRUE(events_.changes.empty());
  EXPECT_EQ(used(code), "0");
}

TEST_P(SeatDecisionsTest, ALicenseServesFromItsStartThroughItsGraceAndNoLonger) {
  const std::int64_t starts = kTestEpochMs + kHourMs;
  const std::int64_t expires = starts + kDayMs;
  const auto code = license("cad", 5, [&](storage::NewLicense& l) {
    l.starts_at_ms = starts;
    l.expires_at_ms = expires;
    l.grace_ms = kHourMs;
  });
  clock_.set_ms(starts - 1);
  auto early = checkout(code, "pc1");
  EXPECT_EQ(early.error, SeatError::license_not_started);
  EXPECT_EQ(early.message, "the license starts at " + calendar::format_utc(starts / 1000));
  EXPECT_EQ(activate(code).error, SeatError::license_not_started);
  EXPECT_EQ(field(status(code), "state"), "not_started");
  clock_.set_ms(starts);
  EXPECT_TRUE(checkout(code, "pc1").ok());
  clock_.set_ms(expires + kHourMs - 1);
  EXPECT_EQ(field(status(code), "state"), "in_grace");
  EXPECT_TRUE(checkout(code, "pc2").ok());
  clock_.set_ms(expires + kHourMs);
  auto late = checkout(code, "pc3");
  EXPECT_EQ(late.error, SeatError::license_expired);
  EXPECT_EQ(late.message, "the license expired at " + calendar::format_utc(expires / 1000) +
                              " and its grace period ended at " +
                              calendar::format_utc((expires + kHourMs) / 1000));
  EXPECT_EQ(activate(code).error, SeatError::license_expired);
  EXPECT_EQ(field(status(code), "state"), "expired");
}

TEST_P(SeatDecisionsTest, HeartbeatsExtendALeaseWhileItsLicenseServes) {
  const std::int64_t expires = kTestEpochMs + 600000;
  const auto code = license("cad", 5, [&](storage::NewLicense& l) { l.expires_at_ms = expires; });
  const auto lease = field(checkout(code, "pc1"), "lease");
  clock_.advance_ms(60000);
  auto beat = heartbeat(lease);
  ASSERT_TRUE(beat.ok());
  EXPECT_EQ(field(beat, "expires"), std::to_string(now_s() + 300));
  EXPECT_EQ(events_.changes.back().first, seat::LeaseChange::extended);
  EXPECT_EQ(events_.changes.back().second.id, lease);
  EXPECT_EQ(events_.changes.back().second.expires_at_ms, clock_.now_unix_ms() + 300000);
  clock_.advance_ms(240000);
  ASSERT_TRUE(heartbeat(lease).ok());
  clock_.set_ms(expires - 1);
  ASSERT_TRUE(heartbeat(lease).ok());
  clock_.set_ms(expires);
  EXPECT_EQ(heartbeat(lease).error, SeatError::license_expired);
  // Unknown, and lapsed: the same answer.
  EXPECT_EQ(heartbeat("0123456789abcdef0123456789abcdef").error, SeatError::lease_unknown);
  clock_.set_ms(expires - 1 + 300000);
  EXPECT_EQ(heartbeat(lease).error, SeatError::lease_unknown);
}

TEST_P(SeatDecisionsTest, AStepBackBeforeTheLicensesStartDoesNotEndAHeldLease) {
  // With no mark kept for the license (as after its marks were moved back to a clock that had
  // been far ahead), a step back before its start makes it not_started: its leases go on.
  write_marks_ = false;
  const auto code = license("cad", 5);
  const auto lease = field(checkout(code, "pc1"), "lease");
  clock_.set_ms(kTestEpochMs - 2 * kDayMs);
  EXPECT_TRUE(heartbeat(lease).ok());
  EXPECT_EQ(checkout(code, "pc2").error, SeatError::license_not_started);
}

TEST_P(SeatDecisionsTest, AClockSetBackJudgesALicenseAtItsMark) {
  const std::int64_t expires = kTestEpochMs + 10 * kDayMs;
  const auto code = license("cad", 5, [&](storage::NewLicense& l) { l.expires_at_ms = expires; });
  ASSERT_TRUE(checkout(code, "pc1").ok());
  // Two days back: it has been judged at the epoch, so it has started all the same.
  clock_.set_ms(kTestEpochMs - 2 * kDayMs);
  EXPECT_TRUE(checkout(code, "pc2").ok());
  EXPECT_EQ(field(status(code), "state"), "active");
  // Past its expiry it is expired, and back before it, expired still (a lease taken just before
  // the expiry lives on, on the wall clock, but its license no longer serves).
  clock_.set_ms(expires - 1000);
  const auto lease = field(checkout(code, "pc1"), "lease");
  clock_.set_ms(expires);
  EXPECT_EQ(checkout(code, "pc3").error, SeatError::license_expired);
  clock_.set_ms(kTestEpochMs + kDayMs);
  EXPECT_EQ(checkout(code, "pc3").error, SeatError::license_expired);
  EXPECT_EQ(heartbeat(lease).error, SeatError::license_expired);
  EXPECT_EQ(activate(code).error, SeatError::license_expired);
  EXPECT_EQ(field(status(code), "state"), "expired");
}

TEST_P(SeatDecisionsTest, LicensesAreJudgedAtTheServersMarkAndLeasesOnTheWallClock) {
  const std::int64_t expires = kTestEpochMs + 10 * kDayMs;
  const auto code = license("cad", 5, [&](storage::NewLicense& l) { l.expires_at_ms = expires; });
  // The wall clock reads the epoch while the server has judged up to just before the expiry:
  // the lease runs from the wall clock's time.
  license_now_ = expires - 1;
  auto granted = checkout(code, "pc1");
  ASSERT_TRUE(granted.ok()) << granted.message;
  EXPECT_EQ(field(granted, "expires"), std::to_string(now_s() + 300));
  license_now_ = expires;
  EXPECT_EQ(checkout(code, "pc2").error, SeatError::license_expired);
  // Its own mark was written at its expiry: judged there from now on, whatever else says.
  license_now_.reset();
  EXPECT_EQ(field(status(code), "state"), "expired");
}

// Counts the license marks written, to show they are written once per granule or state change.
class CountingMarks final : public ForwardingSeatStore {
 public:
  using ForwardingSeatStore::ForwardingSeatStore;
  void advance_license_clock_mark(std::int64_t id, std::int64_t mark) override {
    ++writes;
    ForwardingSeatStore::advance_license_clock_mark(id, mark);
  }
  int writes = 0;
};

TEST_P(SeatDecisionsTest, ALicensesMarkIsWrittenEveryMinuteOrWhenItsStateChanges) {
  auto counting = std::make_unique<CountingMarks>(std::move(store_));
  CountingMarks& marks = *counting;
  store_ = std::move(counting);
  const std::int64_t expires = kTestEpochMs + 10 * kDayMs;
  const auto code = license("cad", 5, [&](storage::NewLicense& l) { l.expires_at_ms = expires; });
  ASSERT_TRUE(checkout(code, "pc1").ok());
  EXPECT_EQ(marks.writes, 1);  // never judged before
  clock_.advance_ms(30000);
  ASSERT_TRUE(checkout(code, "pc1").ok());
  EXPECT_EQ(field(status(code), "state"), "active");
  EXPECT_EQ(marks.writes, 1);
  clock_.advance_ms(30000);
  ASSERT_TRUE(checkout(code, "pc1").ok());
  EXPECT_EQ(marks.writes, 2);
  // Several judgements of one license in one batch write its mark once.
  clock_.advance_ms(60000);
  seat::SeatCommand cmd;
  cmd.op = seat::Operation::status;
  cmd.code = code;
  decide([&](seat::SeatDecisions& d) {
    d.status(cmd);
    return d.status(cmd);
  });
  EXPECT_EQ(marks.writes, 3);
  // Its expiry is written at once.
  clock_.set_ms(expires - 1);
  EXPECT_TRUE(checkout(code, "pc1").ok());
  EXPECT_EQ(marks.writes, 4);
  clock_.set_ms(expires);
  EXPECT_EQ(checkout(code, "pc1").error, SeatError::license_expired);
  EXPECT_EQ(marks.writes, 5);
}

TEST_P(SeatDecisionsTest, CheckinReleasesTheUnitsOnce) {
  const auto code = license("cad", 1);
  const auto lease = field(checkout(code, "pc1"), "lease");
  EXPECT_EQ(checkout(code, "pc2").error, SeatError::no_seats);
  ASSERT_TRUE(checkin(lease).ok());
  EXPECT_EQ(product_, "cad");
  EXPECT_EQ(events_.changes.back().first, seat::LeaseChange::released);
  EXPECT_EQ(events_.changes.back().second.id, lease);
  EXPECT_EQ(checkin(lease).error, SeatError::lease_unknown);
  EXPECT_TRUE(checkout(code, "pc2").ok());
}

TEST_P(SeatDecisionsTest, EndOfSaleShowsAndEndOfLifeStopsEveryOperation) {
  const std::int64_t end_of_life = kTestEpochMs + 120000;
  for (auto& product : config_.products) {
    if (product.code != "cad") continue;
    product.end_of_sale_unix = (kTestEpochMs + 60000) / 1000;
    product.end_of_life_unix = end_of_life / 1000;
  }
  build_catalog();
  const auto code = license("cad", 5);
  const auto lease = field(checkout(code, "pc1"), "lease");
  EXPECT_EQ(field(status(code), "state"), "active");
  clock_.set_ms(kTestEpochMs + 60000);
  EXPECT_EQ(field(status(code), "state"), "end_of_sale");
  EXPECT_TRUE(checkout(code, "pc2").ok());
  clock_.set_ms(end_of_life - 1);
  ASSERT_TRUE(heartbeat(lease).ok());
  clock_.set_ms(end_of_life);
  auto refused = checkout(code, "pc3");
  EXPECT_EQ(refused.error, SeatError::end_of_life);
  EXPECT_EQ(refused.message, "product cad has reached End of Life");
  EXPECT_EQ(heartbeat(lease).error, SeatError::end_of_life);
  EXPECT_EQ(activate(code).error, SeatError::end_of_life);
  EXPECT_EQ(field(status(code), "state"), "end_of_life");
}

TEST_P(SeatDecisionsTest, ASuiteIsUsedThroughOneOfItsComponents) {
  const auto code = license("studio", 2);
  auto unnamed = checkout(code, "pc1");
  EXPECT_EQ(unnamed.error, SeatError::bad_request);
  EXPECT_EQ(unnamed.message,
            "missing field product (the license is for suite studio: agent, render)");
  auto outside = checkout(code, "pc1", 1, "cad");
  EXPECT_EQ(outside.error, SeatError::product_not_licensed);
  EXPECT_EQ(outside.message, "the license covers suite studio: agent, render");
  auto agent = checkout(code, "pc1", 1, "agent");
  ASSERT_TRUE(agent.ok());
  EXPECT_EQ(product_, "studio");
  // One holder, one unit across the components.
  EXPECT_EQ(field(checkout(code, "pc1", 1, "render"), "lease"), field(agent, "lease"));
  EXPECT_EQ(field(status(code, "render"), "product"), "render");
  EXPECT_EQ(field(status(code), "used"), "1");
  // A plain license names no component.
  EXPECT_EQ(checkout(license("cad", 1), "pc1", 1, "agent").error, SeatError::product_not_licensed);
}

TEST_P(SeatDecisionsTest, AComponentsEndOfLifeStopsThatComponentOnly) {
  for (auto& product : config_.products)
    if (product.code == "render") product.end_of_life_unix = kTestEpochMs / 1000;
  build_catalog();
  const auto code = license("studio", 2);
  EXPECT_EQ(checkout(code, "pc1", 1, "render").error, SeatError::end_of_life);
  EXPECT_EQ(field(status(code, "render"), "state"), "end_of_life");
  EXPECT_TRUE(checkout(code, "pc1", 1, "agent").ok());
  EXPECT_EQ(field(status(code, "agent"), "state"), "active");
}

TEST_P(SeatDecisionsTest, UnknownAndMistypedCodesGetOneAnswer) {
  license("cad", 1);
  auto mistyped = checkout("1234-5678-9012-3456-7890", "pc1");
  EXPECT_EQ(mistyped.error, SeatError::invalid_code);
  auto unknown = status(activation_code::format(activation_code::generate()));
  EXPECT_EQ(unknown.error, SeatError::invalid_code);
  EXPECT_EQ(mistyped.message, unknown.message);
  EXPECT_EQ(product_, "");
}

TEST_P(SeatDecisionsTest, ActivateRecordsTheActivationAndDescribesTheLicense) {
  const auto code = license("agent", 7);
  auto activated = activate(code);
  ASSERT_TRUE(activated.ok()) << activated.message;
  EXPECT_EQ(field(activated, "product"), "agent");
  EXPECT_EQ(field(activated, "family"), "software");
  EXPECT_EQ(field(activated, "units"), "7");
  EXPECT_EQ(field(activated, "unit"), "endpoints");
  EXPECT_EQ(store_->activation_count(std::stoll(field(activated, "license"))), 1);
}

TEST_P(SeatDecisionsTest, AGateSeesTheHolderAndMayRefuseBeforeAnythingIsGranted) {
  auto gate = std::make_shared<ScriptedGate>();
  gates_.push_back(gate);
  const auto code = license("cad", 5);
  gate->refuse = [](const seat::CheckoutCandidate& checkout) {
    if (checkout.command.host == "blocked")
      return seat::SeatResult::failure(SeatError::product_not_licensed, "not at this site");
    return seat::SeatResult{};
  };
  auto refused = checkout(code, "blocked");
  EXPECT_EQ(refused.error, SeatError::product_not_licensed);
  EXPECT_EQ(refused.message, "not at this site");
  EXPECT_EQ(used(code), "0");
  EXPECT_TRUE(events_.changes.empty());
  ASSERT_TRUE(checkout(code, "pc1").ok());
  ASSERT_TRUE(checkout(code, "pc1").ok());
  EXPECT_EQ(gate->holders_seen,
            (std::vector<std::string>{"seat:@blocked", "seat:@pc1", "seat:@pc1"}));
  // The second checkout of pc1 is a repeated one: the gate is told the holder's lease.
  EXPECT_EQ(gate->held_seen, (std::vector<bool>{false, false, true}));
  // Refusals before the holder is known never reach a gate.
  EXPECT_EQ(checkout("1234-5678-9012-3456-7890", "pc1").error, SeatError::invalid_code);
  EXPECT_EQ(gate->holders_seen.size(), 3U);
}

}  // namespace
}  // namespace lmp::test

namespace lmp::test {
namespace {

TEST_P(SeatDecisionsTest, ABorrowNeedsNoHeartbeatAndHoldsItsUnitsUntilItsExpiry) {
  const auto key = make_signing_key();
  const auto code = license("cad", 3);
  auto borrowed = borrow(code, 3600, 2);
  ASSERT_TRUE(borrowed.ok()) << borrowed.message;
  EXPECT_EQ(field(borrowed, "units"), "2");
  EXPECT_EQ(field(borrowed, "expires"), std::to_string(now_s() + 3600));
  EXPECT_EQ(field(borrowed, "borrowed"), "1");
  EXPECT_EQ(field(borrowed, "heartbeat"), "<none>");
  const std::string lease = field(borrowed, "lease");
  ASSERT_EQ(events_.changes.size(), 1U);
  EXPECT_TRUE(events_.changes[0].second.borrowed);
  EXPECT_EQ(events_.changes[0].second.holder, "");  // nobody's to reuse

  // The token: signed by the active key, naming the lease.
  auto verified = domain::verify_borrow_token(field(borrowed, "token"), key.public_key);
  ASSERT_TRUE(verified.has_value());
  EXPECT_EQ(verified->kid, key.kid);
  EXPECT_EQ(verified->claims.lease, lease);
  EXPECT_EQ(verified->claims.product, "cad");
  EXPECT_EQ(verified->claims.units, 2);
  EXPECT_EQ(verified->claims.host, "laptop1");
  EXPECT_EQ(verified->claims.user, "ann");
  EXPECT_EQ(verified->claims.iat, now_s());
  EXPECT_EQ(verified->claims.exp, now_s() + 3600);

  // Far past a session lease's 120 s without a heartbeat, it holds its units; a heartbeat
  // answers its own expiry and extends nothing.
  clock_.advance_ms(1800 * 1000);
  EXPECT_EQ(used(code), "2");
  auto beat = heartbeat(lease);
  ASSERT_TRUE(beat.ok()) << beat.message;
  EXPECT_EQ(field(beat, "expires"), std::to_string(verified->claims.exp));
  EXPECT_EQ(events_.changes.size(), 1U);
  EXPECT_EQ(checkout(code, "pc9", 2).error, SeatError::no_seats);

  // At its expiry its units are free, and the sweep reclaims it.
  clock_.set_ms(verified->claims.exp * 1000);
  EXPECT_EQ(used(code), "0");
  store_->begin();
  auto reclaimed = store_->reclaim_expired(clock_.now_unix_ms(), 10);
  store_->commit();
  ASSERT_EQ(reclaimed.size(), 1U);
  EXPECT_EQ(reclaimed[0].id, lease);
  EXPECT_TRUE(reclaimed[0].borrowed);
  EXPECT_EQ(heartbeat(lease).error, SeatError::lease_unknown);
}

TEST_P(SeatDecisionsTest, ABorrowEndsWithItsLicenseAndAnEarlyCheckinFreesItsUnits) {
  make_signing_key();
  const std::int64_t expires = kTestEpochMs + 2 * kHourMs;
  const auto code = license("cad", 2, [&](storage::NewLicense& l) { l.expires_at_ms = expires; });
  auto borrowed = borrow(code, 7 * 24 * 3600);
  ASSERT_TRUE(borrowed.ok()) << borrowed.message;
  EXPECT_EQ(field(borrowed, "expires"), std::to_string(expires / 1000));
  EXPECT_EQ(used(code), "1");
  ASSERT_TRUE(checkin(field(borrowed, "lease")).ok());
  EXPECT_EQ(used(code), "0");
  EXPECT_EQ(events_.changes.back().first, seat::LeaseChange::released);
}

TEST_P(SeatDecisionsTest, BorrowsThatCannotBeRefusedWriteNothing) {
  const auto code = license("cad", 2);
  // No signing key: internal, nothing granted.
  EXPECT_EQ(borrow(code, 600).error, SeatError::internal);
  EXPECT_EQ(used(code), "0");
  make_signing_key();
  // Host and user are what the token names.
  EXPECT_EQ(checkout(code, "", 1, {}, 600, "ann").error, SeatError::bad_request);
  auto no_user = checkout(code, "laptop", 1, {}, 600, "");
  EXPECT_EQ(no_user.error, SeatError::bad_request);
  EXPECT_EQ(no_user.message, "missing field user (a borrow names its host and user)");
  // Permanent allocations are not borrowed.
  family_->allocations = true;
  build_catalog();
  auto permanent = borrow(license("tool", 2), 600);
  EXPECT_EQ(permanent.error, SeatError::not_allowed);
  EXPECT_EQ(permanent.message,
            "licenses of product tool cannot be borrowed (their units are permanent allocations)");
  family_->allocations = false;
  build_catalog();
  // A license in its grace period serves, but is not borrowed.
  const auto lapsed = license("cad", 2, [&](storage::NewLicense& l) {
    l.expires_at_ms = kTestEpochMs - kHourMs;
    l.grace_ms = 7 * kDayMs;
  });
  ASSERT_TRUE(checkout(lapsed, "pc1").ok());
  EXPECT_EQ(borrow(lapsed, 600).error, SeatError::not_allowed);
  EXPECT_EQ(events_.changes.size(), 1U);  // only the session checkout
}

}  // namespace
}  // namespace lmp::test
