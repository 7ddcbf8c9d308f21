// The target-independent workload: how a slot walks the mix and keeps its leases, how answers
// are counted (errors by code, warmup left out), and the report built from the counts.
#include <gtest/gtest.h>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "lmp_bench/report.hpp"
#include "lmp_bench/workload.hpp"

namespace lmp::bench {
namespace {

const std::vector<Op> kDefaultMix{Op::checkout, Op::heartbeat, Op::checkin};

Outcome granted(std::string_view lease) {
  return Outcome{true, {}, lease};
}
Outcome refused(std::string_view code) {
  return Outcome{false, code, {}};
}

TEST(BenchSlot, WalksTheMixHoldingTheLeaseItGot) {
  Slot slot;
  for (int round = 0; round < 3; ++round) {
    std::string lease = "L" + std::to_string(round);
    ASSERT_EQ(slot.next(kDefaultMix), Op::checkout);
    slot.complete(Op::checkout, granted(lease));
    EXPECT_EQ(slot.lease(), lease);
    ASSERT_EQ(slot.next(kDefaultMix), Op::heartbeat);
    slot.complete(Op::heartbeat, Outcome{true, {}, {}});
    EXPECT_EQ(slot.lease(), lease);
    ASSERT_EQ(slot.next(kDefaultMix), Op::checkin);
    slot.complete(Op::checkin, Outcome{true, {}, {}});
    EXPECT_TRUE(slot.leases().empty());
  }
}

TEST(BenchSlot, ARefusedCheckoutIsRetriedBeforeHeartbeatAndCheckin) {
  Slot slot;
  ASSERT_EQ(slot.next(kDefaultMix), Op::checkout);
  slot.complete(Op::checkout, refused("no_seats"));
  // No lease: heartbeat and checkin wait for a checkout that succeeds.
  ASSERT_EQ(slot.next(kDefaultMix), Op::checkout);
  slot.complete(Op::checkout, refused("no_seats"));
  ASSERT_EQ(slot.next(kDefaultMix), Op::checkout);
  slot.complete(Op::checkout, granted("L"));
  EXPECT_EQ(slot.next(kDefaultMix), Op::heartbeat);
  slot.complete(Op::heartbeat, Outcome{true, {}, {}});
  EXPECT_EQ(slot.next(kDefaultMix), Op::checkin);
}

TEST(BenchSlot, ALeaseTheServerForgotIsDropped) {
  Slot slot;
  slot.next(kDefaultMix);
  slot.complete(Op::checkout, granted("L"));
  slot.next(kDefaultMix);
  slot.complete(Op::heartbeat, refused("unavailable"));  // a passing failure keeps it
  EXPECT_EQ(slot.lease(), "L");
  slot.complete(Op::heartbeat, refused("lease_unknown"));
  EXPECT_TRUE(slot.leases().empty());
  EXPECT_EQ(slot.next(kDefaultMix), Op::checkout);
}

TEST(BenchSlot, AMixWithoutCheckoutStillGetsALease) {
  const std::vector<Op> heartbeats{Op::heartbeat};
  Slot slot;
  ASSERT_EQ(slot.next(heartbeats), Op::checkout);
  slot.complete(Op::checkout, granted("L"));
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(slot.next(heartbeats), Op::heartbeat);
    slot.complete(Op::heartbeat, Outcome{true, {}, {}});
  }
  EXPECT_EQ(slot.leases().size(), 1u);
}

TEST(BenchSlot, SeveralLeasesAreGivenBackNewestFirst) {
  const std::vector<Op> mix{Op::checkout, Op::checkout, Op::checkin, Op::checkin};
  Slot slot;
  slot.next(mix);
  slot.complete(Op::checkout, granted("first"));
  slot.next(mix);
  slot.complete(Op::checkout, granted("second"));
  ASSERT_EQ(slot.leases().size(), 2u);
  EXPECT_EQ(slot.next(mix), Op::checkin);
  EXPECT_EQ(slot.lease(), "second");
  slot.complete(Op::checkin, Outcome{true, {}, {}});
  EXPECT_EQ(slot.lease(), "first");
}

TEST(BenchStats, ErrorsAreCountedByCodeInsideTheWindowOnly) {
  Stats stats;
  stats.answer(granted("a"), 1000, true);
  stats.answer(refused("no_seats"), 2000, true);
  stats.answer(refused("no_seats"), 2000, true);
  stats.answer(refused("lease_unknown"), 3000, true);
  stats.answer(refused("no_seats"), 1000, false);  // warmup
  stats.answer(granted("b"), 1000, false);
  EXPECT_EQ(stats.ops, 4u);
  EXPECT_EQ(stats.ok_ops, 1u);
  EXPECT_EQ(stats.errors.count("no_seats"), 2u);
  EXPECT_EQ(stats.errors.count("lease_unknown"), 1u);
  EXPECT_EQ(stats.errors.count("invalid_code"), 0u);
  EXPECT_EQ(stats.errors.total(), 3u);
  EXPECT_EQ(stats.latency.count(), 4u);
  EXPECT_EQ(stats.latency.max(), 3000u);

  Stats other;
  other.answer(refused("no_seats"), 1000, true);
  other.answer(refused("unavailable"), 1000, true);
  other.transport_errors = 2;
  stats.merge(other);
  EXPECT_EQ(stats.ops, 6u);
  EXPECT_EQ(stats.errors.count("no_seats"), 3u);
  EXPECT_EQ(stats.errors.count("unavailable"), 1u);
  EXPECT_EQ(stats.transport_errors, 2u);
  auto by_code = stats.errors.by_code();
  EXPECT_EQ(by_code.size(), 3u);
  EXPECT_EQ(by_code["no_seats"], 3u);
}

TEST(BenchReport, JsonCarriesEveryFieldTheScriptsRead) {
  Options options;
  options.target = Target::lmpd;
  options.port = 27400;
  options.connections = 2;
  options.pipeline = 4;
  options.duration_s = 2;
  options.warmup_s = 1;
  Report report = report_for(options);
  Stats stats;
  // 500 fast answers and one slow: the slow one is the top 0.2%, so p99.9 and max.
  for (int i = 0; i < 500; ++i) stats.answer(granted("x"), 500000, true);  // 500 us
  stats.answer(refused("no_seats"), 2000000, true);
  fill_results(report, stats);
  report.started_at_unix_ms = 1767225600123;
  report.started_at = format_utc(report.started_at_unix_ms);
  EXPECT_EQ(report.started_at, "2026-01-01T00:00:00.123Z");

  auto json = boost::json::parse(boost::json::serialize(to_json(report))).as_object();
  EXPECT_EQ(json.at("target").as_string(), "lmpd");
  EXPECT_EQ(json.at("host").as_string(), "127.0.0.1");
  EXPECT_EQ(json.at("port").to_number<int>(), 27400);
  EXPECT_EQ(json.at("ports"), (boost::json::array{27400}));
  EXPECT_EQ(json.at("connections").to_number<int>(), 2);
  EXPECT_EQ(json.at("pipeline").to_number<int>(), 4);
  EXPECT_EQ(json.at("duration_s").to_number<double>(), 2.0);
  EXPECT_EQ(json.at("mix").as_string(), "checkout,heartbeat,checkin");
  EXPECT_EQ(json.at("ops").to_number<std::uint64_t>(), 501u);
  EXPECT_EQ(json.at("ok_ops").to_number<std::uint64_t>(), 500u);
  EXPECT_DOUBLE_EQ(json.at("ops_per_sec").to_number<double>(), 250.5);
  const auto& latency = json.at("latency_us").as_object();
  EXPECT_NEAR(latency.at("p50").to_number<double>(), 500, 5);
  EXPECT_NEAR(latency.at("p99").to_number<double>(), 500, 5);
  EXPECT_NEAR(latency.at("p999").to_number<double>(), 2000, 20);
  EXPECT_EQ(latency.at("max").to_number<double>(), 2000);
  EXPECT_EQ(json.at("errors").as_object().at("no_seats").to_number<int>(), 1);
  EXPECT_EQ(json.at("transport_errors").to_number<int>(), 0);
  EXPECT_EQ(json.at("started_at").as_string(), "2026-01-01T00:00:00.123Z");

  std::string summary = format_summary(report);
  EXPECT_NE(summary.find("no_seats=1"), std::string::npos) << summary;
  EXPECT_NE(summary.find("250.5/s"), std::string::npos) << summary;
}

TEST(BenchReport, EveryPortIsInTheJsonAndTheSummary) {
  Options options;
  options.target = Target::lmpd;
  options.port = 7001;
  options.ports = {7001, 7002, 7003};
  Report report = report_for(options);
  auto json = boost::json::parse(boost::json::serialize(to_json(report))).as_object();
  EXPECT_EQ(json.at("port").to_number<int>(), 7001);
  EXPECT_EQ(json.at("ports"), (boost::json::array{7001, 7002, 7003}));
  std::string summary = format_summary(report);
  EXPECT_NE(summary.find("127.0.0.1:7001,7002,7003 "), std::string::npos) << summary;
}

}  // namespace
}  // namespace lmp::bench
