// The metrics module without a server: the page prometheus-cpp's TextSerializer writes of lmpd's
// families (escaping, numbers, label order), cumulative histogram buckets with `le` boundaries,
// tallies added in one step, label sets, the registry's refusals, and the process_* collector.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "metrics/process_metrics.hpp"
#include "metrics/registry.hpp"

namespace lmp::metrics {
namespace {

// The page as prometheus-cpp's TextSerializer writes it; `labels` name the one child's labels.
std::string one_counter(const std::vector<std::string>& labels,
                        const std::vector<std::string>& values, std::string help = "m") {
  Registry registry;
  registry.add<Counter>("m", std::move(help), labels).with(values).add();
  return registry.render();
}

// The sample lines of the family `name` in a page, the name taken off.
std::vector<std::string> samples_of(const std::string& page, const std::string& name) {
  std::vector<std::string> out;
  std::istringstream in(page);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(name + "_", 0) == 0) out.push_back(line.substr(name.size()));
  return out;
}

TEST(MetricsTextFormat, LabelValuesAreEscaped) {
  const std::string out = one_counter({"a", "b"}, {"x\"y\\z\nw", ""});
  EXPECT_NE(out.find("m{a=\"x\\\"y\\\\z\\nw\",b=\"\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(one_counter({}, {}).find("\nm 1\n"), std::string::npos);
}

// prometheus-cpp 1.0 writes help text as it is: quotes are kept, and what would need escaping
// (a backslash, a line feed) is refused when the family is registered.
TEST(MetricsTextFormat, HelpKeepsQuotesAndRefusesWhatWouldNeedEscaping) {
  EXPECT_EQ(one_counter({}, {}, "say \"hi\""), "# HELP m say \"hi\"\n# TYPE m counter\nm 1\n");
  Registry registry;
  EXPECT_THROW(registry.add<Counter>("a_total", "back\\slash"), std::logic_error);
  EXPECT_THROW(registry.add<Counter>("b_total", "two\nlines"), std::logic_error);
}

// Values are whole numbers where they are whole (to 2^53), bucket bounds in the shortest of the
// library's 16-digit forms: le="0.0001" where lmpd's own module wrote le="1e-04".
TEST(MetricsTextFormat, Numbers) {
  Registry registry;
  registry.add<Gauge>("g", "g").get().set(-3);
  registry.add<Counter>("c_total", "c").get().add(std::uint64_t{1} << 53);
  auto& h = registry.add<Histogram>("h", "h", {}, {0.00005, 0.0001, 0.0005, 1}).get();
  h.observe(0.25);
  const std::string out = registry.render();
  EXPECT_NE(out.find("\ng -3\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nc_total 9007199254740992\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nh_sum 0.25\n"), std::string::npos) << out;
  for (const char* le : {"5e-05", "0.0001", "0.0005", "1", "+Inf"})
    EXPECT_NE(out.find(std::string("h_bucket{le=\"") + le + "\"}"), std::string::npos) << le;
}

TEST(MetricsTextFormat, Names) {
  Registry registry;
  EXPECT_NO_THROW(registry.add<Counter>("lmp_a:b_total", "x", {"product"}));
  EXPECT_THROW(registry.add<Counter>("9lives", "x"), std::logic_error);
  EXPECT_THROW(registry.add<Counter>("a-b", "x"), std::logic_error);
  EXPECT_THROW(registry.add<Counter>("", "x"), std::logic_error);
  EXPECT_THROW(registry.add<Counter>("c_total", "x", {"a:b"}), std::logic_error);
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
  // The library writes _count and _sum before the buckets (lmpd's own module wrote them after).
  EXPECT_EQ(registry.render(),
            "# HELP d_seconds d\n# TYPE d_seconds histogram\n"
            "d_seconds_count 4\n"
            "d_seconds_sum 7.875\n"
            "d_seconds_bucket{le=\"0.25\"} 2\n"
            "d_seconds_bucket{le=\"1\"} 3\n"
            "d_seconds_bucket{le=\"+Inf\"} 4\n");
}

TEST(MetricsHistogram, TallyAddsOnceAndEmpties) {
  Registry registry;
  auto& h = registry.add<Histogram>("x", "x", {"op"}, {1, 2}).with({"a"});
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
  const std::string out = registry.render();
  EXPECT_NE(out.find("x_bucket{op=\"a\",le=\"2\"} 3\n"), std::string::npos) << out;
}

// A batch added at once (ObserveMultiple) lands in the buckets where one observation at a time
// would: below the first bound, on a bound, between bounds and past the last.
TEST(MetricsHistogram, ABatchLandsInTheBucketsOfSingleObservations) {
  Registry registry;
  auto& one_by_one = registry.add<Histogram>("a_seconds", "a", {}, latency_buckets()).get();
  auto& batched = registry.add<Histogram>("b_seconds", "b", {}, latency_buckets()).get();
  HistogramTally tally(batched);
  const double values[] = {0,   0.00001, 0.00005, 0.00007, 0.0001, 0.001, 0.003, 0.003,
                           0.5, 0.75,    1,       9.99,    10,     10.5,  3600};
  for (double v : values) {
    one_by_one.observe(v);
    tally.observe(v);
  }
  batched.add(tally);
  const std::string out = registry.render();
  const auto a_samples = samples_of(out, "a_seconds");
  ASSERT_EQ(a_samples.size(), 2 + latency_buckets().size() + 1) << out;
  EXPECT_EQ(a_samples, samples_of(out, "b_seconds")) << out;
  EXPECT_NE(out.find("b_seconds_bucket{le=\"5e-05\"} 3\n"), std::string::npos) << out;
  EXPECT_NE(out.find("b_seconds_bucket{le=\"10\"} 13\n"), std::string::npos) << out;
  EXPECT_NE(out.find("b_seconds_bucket{le=\"+Inf\"} 15\n"), std::string::npos) << out;
  EXPECT_EQ(batched.count(), 15u);
  EXPECT_DOUBLE_EQ(batched.sum(), one_by_one.sum());
}

// A tally of one observation is added as that one observation (Observe, not ObserveMultiple):
// on a bound it counts in that bound's bucket, past the last in +Inf only.
TEST(MetricsHistogram, ATallyOfOneLandsInItsBucket) {
  Registry registry;
  auto& h = registry.add<Histogram>("y", "y", {"op"}, {0.25, 1});
  HistogramTally on_bound(h.with({"a"}));
  on_bound.observe(0.25);
  h.with({"a"}).add(on_bound);
  HistogramTally past(h.with({"b"}));
  past.observe(3);
  h.with({"b"}).add(past);
  EXPECT_TRUE(on_bound.empty());
  const std::string out = registry.render();
  for (const char* line :
       {"y_bucket{op=\"a\",le=\"0.25\"} 1\n", "y_bucket{op=\"a\",le=\"+Inf\"} 1\n",
        "y_sum{op=\"a\"} 0.25\n", "y_bucket{op=\"b\",le=\"1\"} 0\n",
        "y_bucket{op=\"b\",le=\"+Inf\"} 1\n", "y_sum{op=\"b\"} 3\n"})
    EXPECT_NE(out.find(line), std::string::npos) << line << out;
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

// Registration order whatever the type (prometheus::Registry would put every counter first).
TEST(MetricsRegistry, AGaugeRegisteredFirstIsWrittenFirst) {
  Registry registry;
  registry.add<Gauge>("g", "g").get().set(1);
  registry.add<Histogram>("h", "h", {}, {1}).get();
  registry.add<Counter>("c_total", "c").get();
  const std::string out = registry.render();
  EXPECT_LT(out.find("# HELP g "), out.find("# HELP h "));
  EXPECT_LT(out.find("# HELP h "), out.find("# HELP c_total "));
}

// Removed children are written no more; the others keep their values.
TEST(MetricsRegistry, ARemovedChildIsGone) {
  Registry registry;
  auto& expiry = registry.add<Gauge>("e_seconds", "e", {"product"});
  expiry.with({"cad"}).set(5);
  expiry.with({"agent"}).set(7);
  expiry.remove({"cad"});
  EXPECT_EQ(registry.render(),
            "# HELP e_seconds e\n# TYPE e_seconds gauge\ne_seconds{product=\"agent\"} 7\n");
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

// The collector in a registry: every process_* family with its type, values of this process.
TEST(ProcessMetrics, TheCollectorWritesEveryFamilyWithItsType) {
  Registry registry;
  registry.add_family("process", std::make_unique<ProcessMetrics>());
  const std::string out = registry.render();
  EXPECT_NE(out.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos) << out;
  for (const char* gauge :
       {"process_open_fds", "process_max_fds", "process_virtual_memory_bytes",
        "process_resident_memory_bytes", "process_start_time_seconds", "process_threads"}) {
    EXPECT_NE(out.find(std::string("# TYPE ") + gauge + " gauge\n"), std::string::npos) << gauge;
    EXPECT_NE(out.find(std::string("\n") + gauge + " "), std::string::npos) << gauge;
  }
  const ProcessReading reading = read_process();
  EXPECT_GT(reading.resident_bytes, 0);
  EXPECT_GE(reading.threads, 1);
  EXPECT_GT(reading.open_fds, 0);
}

}  // namespace
}  // namespace lmp::metrics
