// GET /metrics through the real admin listener of an in-process lmpd, after requests over the
// seat protocol: each series checked by value, label sets bounded to configured products and
// stored licenses, lease gauges across reclaim and restart, and `promtool check metrics` on a
// real scrape.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include "core/activation_code.hpp"
#include "support/http_client.hpp"
#include "support/line_client.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

// The samples of a scrape by series as written ("name{labels}"); comments are skipped.
using Samples = std::map<std::string, double>;

Samples parse_samples(const std::string& text) {
  Samples out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

class MetricsEndpointTest : public ::testing::Test {
 protected:
  void SetUp() override { config_ = base_config(dir_.path()); }
  void start() {
    server_ = std::make_unique<TestServer>(config_);
    ASSERT_NE(server_->admin_port(), 0);
  }
  std::string license(LicenseSpec spec = {}) { return create_license(config_, spec); }
  LineClient seat() { return LineClient(server_->port()); }

  HttpReply scrape_reply() {
    HttpClient http(server_->admin_port());
    return http.get("/metrics");
  }
  Samples scrape() {
    auto reply = scrape_reply();
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse_samples(reply.body);
  }
  // The value of a series, or -1 when the scrape does not have it.
  double value(const std::string& series) {
    auto samples = scrape();
    auto it = samples.find(series);
    return it == samples.end() ? -1 : it->second;
  }
  // Scrapes until `series` shows `expected` (state reached by the storage thread on its own, such
  // as a parked waiter or a reclaim); false after 10 s.
  bool eventually(const std::string& series, double expected) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (value(series) == expected) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  TempDir dir_;
  config::Config config_;
  std::unique_ptr<TestServer> server_;
};

TEST_F(MetricsEndpointTest, ServesPrometheusTextWithEveryConfiguredProductAtZero) {
  start();
  auto reply = scrape_reply();
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  auto samples = parse_samples(reply.body);
  EXPECT_EQ(samples.count("lmp_build_info{version=\"" LMP_VERSION_FOR_TESTS "\"}"), 1u)
      << reply.body;
  for (const char* product : {"cad", "agent"}) {
    const std::string label = std::string("{product=\"") + product + "\"}";
    EXPECT_EQ(samples.at("lmp_leases_active" + label), 0);
    EXPECT_EQ(samples.at("lmp_units_in_use" + label), 0);
    EXPECT_EQ(samples.at("lmp_checkouts_total" + label), 0);
  }
  EXPECT_EQ(samples.at("lmp_wait_queue_length"), 0);
  EXPECT_EQ(samples.at("lmp_seat_requests_total{operation=\"checkout\"}"), 0);
  EXPECT_EQ(samples.at("lmp_request_duration_seconds_count{operation=\"checkout\"}"), 0);
  EXPECT_NE(reply.body.find("# TYPE lmp_commit_batch_size histogram\n"), std::string::npos);
  // Only GET; the page is open (no bearer token), like /healthz.
  HttpClient http(server_->admin_port());
  EXPECT_EQ(http.request("POST", "/metrics").status, 405);
}

TEST_F(MetricsEndpointTest, CountsCheckoutsDenialsAndLeasesByProduct) {
  auto code = license({.units = 2});
  start();
  LineClient c = seat();
  auto first = fields_of(c.request("CHECKOUT code=" + code));
  ASSERT_FALSE(first["lease"].empty());
  auto second = fields_of(c.request("CHECKOUT code=" + code + " units=1"));
  ASSERT_FALSE(second["lease"].empty());
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code)), "no_seats");
  // The product a client names never becomes a label: the denial carries the license's product.
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " product=zzz-unknown")),
            "product_not_licensed");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + activation_code::generate())), "invalid_code");
  EXPECT_EQ(status_of(c.request("HEARTBEAT lease=00000000000000000000000000000000")),
            "lease_unknown");
  EXPECT_EQ(c.request("HEARTBEAT lease=" + first["lease"]).rfind("OK", 0), 0u);
  EXPECT_EQ(c.request("CHECKIN lease=" + first["lease"]), "OK");

  auto reply = scrape_reply();
  auto s = parse_samples(reply.body);
  EXPECT_EQ(s.at("lmp_checkouts_total{product=\"cad\"}"), 2);
  EXPECT_EQ(s.at("lmp_checkouts_total{product=\"agent\"}"), 0);
  EXPECT_EQ(s.at("lmp_denials_total{operation=\"checkout\",code=\"no_seats\",product=\"cad\"}"), 1);
  EXPECT_EQ(s.at("lmp_denials_total{operation=\"checkout\",code=\"product_not_licensed\",product="
                 "\"cad\"}"),
            1);
  EXPECT_EQ(s.at("lmp_denials_total{operation=\"checkout\",code=\"invalid_code\",product=\"\"}"),
            1);
  EXPECT_EQ(s.at("lmp_denials_total{operation=\"heartbeat\",code=\"lease_unknown\",product=\"\"}"),
            1);
  EXPECT_EQ(reply.body.find("zzz-unknown"), std::string::npos) << reply.body;
  EXPECT_EQ(s.at("lmp_leases_active{product=\"cad\"}"), 1);
  EXPECT_EQ(s.at("lmp_units_in_use{product=\"cad\"}"), 1);
  EXPECT_EQ(s.at("lmp_seat_requests_total{operation=\"checkout\"}"), 5);
  EXPECT_EQ(s.at("lmp_seat_requests_total{operation=\"heartbeat\"}"), 2);
  EXPECT_EQ(s.at("lmp_seat_requests_total{operation=\"checkin\"}"), 1);
  EXPECT_EQ(s.at("lmp_request_duration_seconds_count{operation=\"checkout\"}"), 5);
  EXPECT_EQ(s.at("lmp_request_duration_seconds_bucket{operation=\"checkout\",le=\"+Inf\"}"), 5);
  EXPECT_GT(s.at("lmp_request_duration_seconds_sum{operation=\"checkout\"}"), 0);
  // One client waiting for each answer: every request had a transaction of its own.
  EXPECT_EQ(s.at("lmp_commit_batch_size_sum"), 8);
  EXPECT_EQ(s.at("lmp_commit_batch_size_count"), 8);
  EXPECT_GE(s.at("lmp_commit_duration_seconds_count"), 8);
  EXPECT_GE(s.at("lmp_flush_duration_seconds_count"), 1);  // synchronous: full
  EXPECT_EQ(s.at("lmp_failed_batches_total"), 0);
}

TEST_F(MetricsEndpointTest, WaitQueueLengthAndWaitTime) {
  auto code = license({.units = 1});
  start();
  LineClient holder = seat();
  LineClient waiter = seat();
  auto lease = fields_of(holder.request("CHECKOUT code=" + code))["lease"];
  waiter.send("CHECKOUT code=" + code + " wait=30");
  ASSERT_TRUE(eventually("lmp_wait_queue_length", 1));
  EXPECT_EQ(holder.request("CHECKIN lease=" + lease), "OK");
  auto answer = waiter.read_line();
  ASSERT_TRUE(answer);
  EXPECT_EQ(status_of(*answer), "OK") << *answer;

  auto s = scrape();
  EXPECT_EQ(s.at("lmp_wait_queue_length"), 0);
  EXPECT_EQ(s.at("lmp_wait_duration_seconds_count"), 1);
  EXPECT_GT(s.at("lmp_wait_duration_seconds_sum"), 0);
  EXPECT_EQ(s.at("lmp_checkouts_total{product=\"cad\"}"), 2);
  // The waiter's time is in the wait histogram, not in the request latency.
  EXPECT_EQ(s.at("lmp_request_duration_seconds_count{operation=\"checkout\"}"), 1);
  EXPECT_EQ(s.at("lmp_leases_active{product=\"cad\"}"), 1);

  // A waiter that times out is a no_seats denial and a wait observation.
  LineClient late = seat();
  late.send("CHECKOUT code=" + code + " wait=5");
  ASSERT_TRUE(eventually("lmp_wait_queue_length", 1));
  server_->advance_seconds(5);
  auto timed_out = late.read_line();
  ASSERT_TRUE(timed_out);
  EXPECT_EQ(status_of(*timed_out), "no_seats");
  s = scrape();
  EXPECT_EQ(s.at("lmp_wait_queue_length"), 0);
  EXPECT_EQ(s.at("lmp_wait_duration_seconds_count"), 2);
  EXPECT_EQ(s.at("lmp_denials_total{operation=\"checkout\",code=\"no_seats\",product=\"cad\"}"), 1);
}

TEST_F(MetricsEndpointTest, LeaseGaugesFollowReclaimAndSurviveRestart) {
  auto code = license({.units = 5});
  start();
  {
    LineClient c = seat();
    ASSERT_EQ(status_of(c.request("CHECKOUT code=" + code + " units=2")), "OK");
    ASSERT_EQ(status_of(c.request("CHECKOUT code=" + code + " units=1")), "OK");
  }
  EXPECT_EQ(value("lmp_units_in_use{product=\"cad\"}"), 3);
  server_->stop();
  server_.reset();

  // A restarted server counts the leases it finds stored.
  start();
  auto s = scrape();
  EXPECT_EQ(s.at("lmp_leases_active{product=\"cad\"}"), 2);
  EXPECT_EQ(s.at("lmp_units_in_use{product=\"cad\"}"), 3);
  EXPECT_EQ(s.at("lmp_checkouts_total{product=\"cad\"}"), 0);  // counters start at zero

  // Leases last 300 s; once they expire the reclaim sweep takes them out of the gauges.
  server_->advance_seconds(301);
  EXPECT_TRUE(eventually("lmp_leases_active{product=\"cad\"}", 0));
  EXPECT_EQ(value("lmp_units_in_use{product=\"cad\"}"), 0);
}

// Units licensed and the nearest expiry, per product, from the licenses that serve now: a license
// not yet started, or expired, counts for neither; both follow time and new licenses.
TEST_F(MetricsEndpointTest, UnitsLicensedAndSecondsToTheNearestExpiryByProduct) {
  constexpr std::int64_t kDay = 86'400'000;
  license({.units = 5, .expires_at_ms = kTestEpochMs + 10 * kDay});
  license({.units = 3, .expires_at_ms = kTestEpochMs + 30 * kDay});
  license({.units = 7, .starts_at_ms = kTestEpochMs + kDay});
  license({.product = "agent", .units = 2, .expires_at_ms = kTestEpochMs - kDay});
  start();
  ASSERT_TRUE(eventually("lmp_units_licensed{product=\"cad\"}", 8));
  auto s = scrape();
  EXPECT_EQ(s.at("lmp_license_expiry_seconds{product=\"cad\"}"), 10 * 86400);
  EXPECT_EQ(s.at("lmp_units_licensed{product=\"agent\"}"), 0);
  // No license of agent serves: no expiry to count down to.
  EXPECT_EQ(s.count("lmp_license_expiry_seconds{product=\"agent\"}"), 0u);

  // Two days on, the third license serves and the nearest expiry is two days nearer.
  server_->advance_seconds(2 * 86400);
  ASSERT_TRUE(eventually("lmp_units_licensed{product=\"cad\"}", 15));
  EXPECT_TRUE(eventually("lmp_license_expiry_seconds{product=\"cad\"}", 8 * 86400));
  // A license written meanwhile counts at the next sweep (a second on: the test's clock stands).
  license({.product = "agent",
           .units = 4,
           .starts_at_ms = kTestEpochMs,
           .expires_at_ms = kTestEpochMs + 5 * kDay});
  server_->advance_seconds(1);
  ASSERT_TRUE(eventually("lmp_units_licensed{product=\"agent\"}", 4));
  EXPECT_EQ(value("lmp_license_expiry_seconds{product=\"agent\"}"), 3 * 86400 - 1);
}

// Usage records written, by event, once their batch commits; and those pruned past retention.
TEST_F(MetricsEndpointTest, UsageRecordsWrittenByEventAndPruned) {
  auto code = license({.units = 1, .expires_at_ms = kTestEpochMs + 800LL * 86'400'000});
  start();
  LineClient c = seat();
  auto lease = fields_of(c.request("CHECKOUT code=" + code))["lease"];
  ASSERT_FALSE(lease.empty());
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " user=bob units=1")), "no_seats");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + activation_code::generate())), "invalid_code");
  EXPECT_EQ(c.request("CHECKIN lease=" + lease), "OK");
  auto s = scrape();
  EXPECT_EQ(s.at("lmp_usage_records_written_total{event=\"checkout\"}"), 1);
  EXPECT_EQ(s.at("lmp_usage_records_written_total{event=\"denial\"}"), 1);
  EXPECT_EQ(s.at("lmp_usage_records_written_total{event=\"checkin\"}"), 1);
  EXPECT_EQ(s.at("lmp_usage_records_pruned_total"), 0);
  // Past the retention (400 days by default) the sweeps delete all three.
  server_->advance_seconds(401 * 86400);
  EXPECT_TRUE(eventually("lmp_usage_records_pruned_total", 3));
}

TEST_F(MetricsEndpointTest, PromtoolAcceptsARealScrape) {
  auto code = license({.units = 1});
  start();
  LineClient c = seat();
  ASSERT_EQ(status_of(c.request("CHECKOUT code=" + code)), "OK");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code)), "no_seats");
  EXPECT_EQ(status_of(c.request("STATUS code=" + code)), "OK");
  EXPECT_EQ(status_of(c.request("ACTIVATE code=" + activation_code::generate())), "invalid_code");
  auto reply = scrape_reply();
  ASSERT_EQ(reply.status, 200);
  const auto path = dir_.path() / "scrape.txt";
  std::ofstream(path) << reply.body;
  const std::string command =
      std::string(LMP_PROMTOOL) + " check metrics < '" + path.string() + "' 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[512];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) output.append(buf, n);
  const int status = ::pclose(pipe);
  EXPECT_EQ(status, 0) << command << "\n" << output << "\n" << reply.body;
  EXPECT_EQ(output, "");
}

// The process_* series of every exporter, with the values of this (the test's own) process.
TEST_F(MetricsEndpointTest, ProcessMetricsFollowTheProcess) {
  start();
  const Samples before = scrape();
  for (const char* series : {"process_cpu_seconds_total", "process_open_fds", "process_max_fds",
                             "process_virtual_memory_bytes", "process_resident_memory_bytes",
                             "process_start_time_seconds", "process_threads"})
    ASSERT_EQ(before.count(series), 1u) << series;
  EXPECT_GT(before.at("process_resident_memory_bytes"), 1 << 20);
  EXPECT_GE(before.at("process_virtual_memory_bytes"), before.at("process_resident_memory_bytes"));
  EXPECT_GE(before.at("process_threads"), 2);  // the test and the server's threads
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(before.at("process_start_time_seconds"), now + 1);
  EXPECT_GT(before.at("process_start_time_seconds"), now - 3600);
  EXPECT_LT(before.at("process_open_fds"), before.at("process_max_fds"));

  // Ten more descriptors and a fifth of a second of CPU show in the next scrape.
  std::vector<int> fds;
  for (int i = 0; i < 10; ++i) fds.push_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  timespec start_cpu{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &start_cpu);
  for (timespec cpu = start_cpu;
       cpu.tv_sec - start_cpu.tv_sec + (cpu.tv_nsec - start_cpu.tv_nsec) / 1e9 < 0.2;) {
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
  }
  const Samples after = scrape();
  for (int fd : fds) ::close(fd);
  EXPECT_GE(after.at("process_open_fds"), before.at("process_open_fds") + 10);
  EXPECT_GE(after.at("process_cpu_seconds_total"), before.at("process_cpu_seconds_total") + 0.15);
  EXPECT_EQ(after.at("process_start_time_seconds"), before.at("process_start_time_seconds"));
}

}  // namespace
}  // namespace lmp::test
