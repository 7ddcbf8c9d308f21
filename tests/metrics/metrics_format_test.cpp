// The metrics module without a server: text-format escaping and numbers, cumulative histogram
// buckets with `le` boundaries, tallies, label sets, the registry's refusals and the reading of
// /proc/<pid>/stat.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "metrics/process_metrics.hpp"
#include "metrics/registry.hpp"
#include "metrics/text_format.hpp"

namespace lmp::metrics {
namespace {

TEST(MetricsTextFormat, LabelValuesAreEscaped) {
  std::string labels;
  append_label(labels, "a", "x\"y\\z\nw");
  append_label(labels, "b", "");
  EXPECT_EQ(labels, R"(a="x\"y\\z\nw",b="")");
  std::string out;
  append_sample(out, "m", labels, "1");
  append_sample(out, "n", "", "2");
  EXPECT_EQ(out, "m{a=\"x\\\"y\\\\z\\nw\",b=\"\"} 1\nn 2\n");
}

TEST(MetricsTextFormat, HelpIsEscapedButQuotesAreKept) {
  std::string out;
  append_header(out, "m_total", "say \"hi\"\\\nbye", "counter");
  EXPECT_EQ(out, "# HELP m_total say \"hi\"\\\\\\nbye\n# TYPE m_total counter\n");
}

TEST(MetricsTextFormat, Numbers) {
  EXPECT_EQ(format_number(0.25), "0.25");
  EXPECT_EQ(format_number(1.0), "1");
  EXPECT_EQ(format_number(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_number(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_number(std::nan("")), "NaN");
  EXPECT_EQ(format_number(std::uint64_t{18446744073709551615u}), "18446744073709551615");
  EXPECT_EQ(format_number(std::int64_t{-3}), "-3");
}

TEST(MetricsTextFormat, Names) {
  EXPECT_TRUE(valid_metric_name("lmp_a:b_total"));
  EXPECT_FALSE(valid_metric_name("9lives"));
  EXPECT_FALSE(valid_metric_name("a-b"));
  EXPECT_FALSE(valid_metric_name(""));
  EXPECT_TRUE(valid_label_name("product"));
  EXPECT_FALSE(valid_label_name("a:b"));
}

TEST(MetricsHistogram, BucketsAreCumulativeAndBoundsInclusive) {
  Registry registry;
  auto& h = registry.add<Histogram>("d_seconds", "d", {}, {0.25, 1}).get();
  h.observe(0.125);
  h.observe(0.25);  // le="0.25" includes 0.25
  h.observe(0.5);
  h.observe(7);
  EXPECT_EQ(h.count(), 4u);
  EXPECT_DOUBLE_EQ(h.sum(), 7.875);
  EXPECT_EQ(registry.render(),
            "# HELP d_seconds d\n# TYPE d_seconds histogram\n"
            "d_seconds_bucket{le=\"0.25\"} 2\n"
            "d_seconds_bucket{le=\"1\"} 3\n"
            "d_seconds_bucket{le=\"+Inf\"} 4\n"
            "d_seconds_sum 7.875\n"
            "d_seconds_count 4\n");
}

TEST(MetricsHistogram, TallyAddsOnceAndEmpties) {
  Histogram h({1, 2});
  HistogramTally tally(h);
  EXPECT_TRUE(tally.empty());
  tally.observe(0.5);
  tally.observe(1.5);
  tally.observe(1.5);
  EXPECT_EQ(h.count(), 0u);  // nothing published before add()
  h.add(tally);
  EXPECT_TRUE(tally.empty());
  EXPECT_EQ(h.count(), 3u);
  EXPECT_DOUBLE_EQ(h.sum(), 3.5);
  h.add(tally);  // an empty tally changes nothing
  EXPECT_EQ(h.count(), 3u);
  std::string out;
  h.render(out, "x", "op=\"a\"");
  EXPECT_NE(out.find("x_bucket{op=\"a\",le=\"2\"} 3\n"), std::string::npos) << out;
}

TEST(MetricsHistogram, BoundsMustAscend) {
  EXPECT_THROW(Histogram({1, 1}), std::logic_error);
  EXPECT_THROW(Histogram({2, 1}), std::logic_error);
}

TEST(MetricsRegistry, FamiliesRenderInRegistrationOrderWithTheirChildren) {
  Registry registry;
  auto& requests = registry.add<Counter>("r_total", "requests", {"op", "code"});
  auto& level = registry.add<Gauge>("level", "level");
  requests.with({"get", "ok"}).add(3);
  requests.with({"get", "ok"}).add();  // the same child
  requests.with({"put", "bad"}).add();
  level.get().set(-2);
  EXPECT_EQ(requests.with({"get", "ok"}).value(), 4u);
  EXPECT_EQ(registry.render(),
            "# HELP r_total requests\n# TYPE r_total counter\n"
            "r_total{op=\"get\",code=\"ok\"} 4\n"
            "r_total{op=\"put\",code=\"bad\"} 1\n"
            "# HELP level level\n# TYPE level gauge\n"
            "level -2\n");
}

TEST(MetricsRegistry, RefusesBadNamesDuplicatesAndWrongLabelCounts) {
  Registry registry;
  auto& c = registry.add<Counter>("c_total", "c", {"a"});
  EXPECT_THROW(registry.add<Counter>("c_total", "again"), std::logic_error);
  EXPECT_THROW(registry.add<Counter>("bad-name", "x"), std::logic_error);
  EXPECT_THROW(registry.add<Histogram>("h", "x", {"le"}, {1}), std::logic_error);
  EXPECT_THROW(c.with({}), std::logic_error);
  EXPECT_THROW(c.with({"x", "y"}), std::logic_error);
}

TEST(ProcessMetrics, ProcStatFieldsAreReadAfterTheLastParenthesisOfTheName) {
  // A command name may hold spaces and parentheses; utime 250 and stime 150 ticks, 7 threads,
  // started 1000 ticks after boot, 1 MiB virtual, 64 resident pages.
  const std::string stat =
      "4242 (lm pd) (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 7 0 1000 1048576 "
      "64 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 17 1 0 0 0 0 0\n";
  ProcessReading r;
  ASSERT_TRUE(parse_proc_stat(stat, 100, 4096, 1'700'000'000, r));
  EXPECT_DOUBLE_EQ(r.cpu_seconds, 4.0);
  EXPECT_DOUBLE_EQ(r.threads, 7);
  EXPECT_DOUBLE_EQ(r.start_time_seconds, 1'700'000'010.0);
  EXPECT_DOUBLE_EQ(r.virtual_bytes, 1048576);
  EXPECT_DOUBLE_EQ(r.resident_bytes, 64 * 4096);

  ProcessReading untouched;
  EXPECT_FALSE(parse_proc_stat("4242 lmpd S 1 2 3", 100, 4096, 0, untouched));
  EXPECT_FALSE(parse_proc_stat("4242 (lmpd) S 1 2 3", 100, 4096, 0, untouched));
  EXPECT_EQ(untouched.cpu_seconds, -1);
}

}  // namespace
}  // namespace lmp::metrics
