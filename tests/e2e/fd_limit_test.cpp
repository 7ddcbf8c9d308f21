// The real lmpd and its open-file limit: raised at startup to cover the listeners' connection
// limits (or a warning saying why not), and a listener out of descriptors that waits and then
// serves the connections the kernel queued meanwhile, instead of spinning on accept.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "support/daemon_process.hpp"
#include "support/http_client.hpp"
#include "support/line_client.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

constexpr std::uint64_t kReserved = 128;  // app::kReservedDescriptors

class FdLimitTest : public ::testing::Test {
 protected:
  // Without `max_connections`, the config leaves the limit at its default.
  void write_config(std::optional<std::uint64_t> max_connections) {
    std::ofstream config(config_path());
    config << "listeners:\n  seat:\n    address: 127.0.0.1\n    port: 0\n"
           << "  admin:\n    address: 127.0.0.1\n    port: 0\n"
           << "storage:\n  sqlite:\n    path: lmpd.db\n"
           << "plugins:\n  directory: " << LMP_TEST_PLUGIN_DIR << "\n";
    if (max_connections) config << "limits:\n  max_connections: " << *max_connections << "\n";
    config << "products:\n  - code: cad\n    name: CAD Studio\n"
           << "    family: software\n    unit: seats\n";
  }
  std::string new_license() {
    auto r =
        run_command({LMP_TEST_LMPD_BINARY, "admin", "--config", config_path().string(),
                     "create-license", "--customer", "acme", "--product", "cad", "--units", "10"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto at = r.out.find("activation code: ");
    return at == std::string::npos ? std::string() : r.out.substr(at + 17, 23);
  }
  std::filesystem::path config_path() const { return dir_.path() / "lmpd.yaml"; }
  std::filesystem::path log_path() const { return dir_.path() / "lmpd.log"; }

  // Starts lmpd with a soft open-file limit of `soft` (it inherits this process's limits).
  std::unique_ptr<DaemonProcess> start_with_soft_limit(rlim_t soft) {
    rlimit own{};
    EXPECT_EQ(::getrlimit(RLIMIT_NOFILE, &own), 0);
    rlimit lowered = own;
    lowered.rlim_cur = std::min(soft, own.rlim_max);
    EXPECT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
    std::unique_ptr<DaemonProcess> lmpd;
    try {
      lmpd = std::make_unique<DaemonProcess>(config_path(), log_path());
    } catch (...) {
      ::setrlimit(RLIMIT_NOFILE, &own);
      throw;
    }
    ::setrlimit(RLIMIT_NOFILE, &own);
    return lmpd;
  }

  std::uint16_t admin_port() const {
    std::smatch m;
    const std::string log = read_file(log_path());
    static const std::regex listening("event=listening listener=admin address=\\S+ port=(\\d+)");
    return std::regex_search(log, m, listening) ? static_cast<std::uint16_t>(std::stoi(m[1].str()))
                                                : 0;
  }

  TempDir dir_;
};

// {soft, hard} of "Max open files" in /proc/PID/limits.
std::pair<std::string, std::string> open_files_limit(pid_t pid) {
  std::ifstream limits("/proc/" + std::to_string(pid) + "/limits");
  for (std::string line; std::getline(limits, line);) {
    if (!line.starts_with("Max open files")) continue;
    std::istringstream words(line.substr(std::string("Max open files").size()));
    std::string soft, hard;
    words >> soft >> hard;
    return {soft, hard};
  }
  return {};
}

double counter_value(const std::string& metrics, const std::string& series) {
  const auto at = metrics.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(metrics.substr(at + series.size() + 2));
}

TEST_F(FdLimitTest, StartupRaisesTheSoftLimitToCoverBothListeners) {
  write_config(1000);
  const std::uint64_t needed = kReserved + 2 * 1000;
  auto lmpd = start_with_soft_limit(256);
  rlimit own{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &own), 0);
  const auto [soft, hard] = open_files_limit(lmpd->pid());
  if (own.rlim_max != RLIM_INFINITY && own.rlim_max < needed) {
    // This machine's hard limit is lower: lmpd goes as far as it may and says so.
    EXPECT_EQ(soft, hard);
    EXPECT_NE(read_file(log_path()).find("event=fd_limit_low needed=2128"), std::string::npos);
  } else {
    EXPECT_EQ(soft, std::to_string(needed));
    EXPECT_NE(read_file(log_path()).find("event=fd_limit_raised from=256 to=2128"),
              std::string::npos)
        << read_file(log_path());
  }
  rlimit after{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &after), 0);
  EXPECT_EQ(after.rlim_cur, own.rlim_cur);  // the test's own limit is back
}

// The default used to need 20,128 descriptors, and a machine whose hard limit was 20,000 logged
// fd_limit_low at every start. The default now needs 8,320, below the hard limits lmpd usually
// meets (systemd's 524,288, the package's 65,536, containers' 1,048,576, and this test's 16,384).
TEST_F(FdLimitTest, TheDefaultLimitsFitTheUsualHardLimitsWithoutAWarning) {
  rlimit own{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &own), 0);
  if (own.rlim_max != RLIM_INFINITY && own.rlim_max < 16384)
    GTEST_SKIP() << "this machine's hard open-file limit is " << own.rlim_max;
  write_config(std::nullopt);
  auto lmpd = start_with_soft_limit(256);
  const std::string log = read_file(log_path());
  EXPECT_EQ(log.find("event=fd_limit_low"), std::string::npos) << log;
  EXPECT_NE(log.find("event=fd_limit_raised from=256 to=8320"), std::string::npos) << log;
  EXPECT_EQ(open_files_limit(lmpd->pid()).first, "8320");
}

TEST_F(FdLimitTest, AHardLimitBelowMaxConnectionsIsReportedAtStartup) {
  write_config(1000000);  // 2,000,128 descriptors: more than Linux lets any process open
  auto lmpd = start_with_soft_limit(256);
  const auto [soft, hard] = open_files_limit(lmpd->pid());
  EXPECT_EQ(soft, hard);  // raised as far as the hard limit allows
  const std::string log = read_file(log_path());
  EXPECT_NE(log.find("event=fd_limit_low needed=2000128 soft_limit=" + soft), std::string::npos)
      << log;
  // It still serves.
  LineClient client(lmpd->port());
  EXPECT_EQ(client.request("PING"), "OK");
}

TEST_F(FdLimitTest, AListenerOutOfDescriptorsWaitsAndThenServesTheQueuedConnections) {
  write_config(1000);
  const std::string code = new_license();
  DaemonProcess lmpd(config_path(), log_path());
  const std::uint16_t admin = admin_port();
  ASSERT_NE(admin, 0);
  // Room for exactly two more connections: a descriptor's number must be below the limit, and
  // the kernel hands out the lowest free numbers, so the limit is the third free number.
  std::set<int> open_fds;
  for (const auto& fd :
       std::filesystem::directory_iterator("/proc/" + std::to_string(lmpd.pid()) + "/fd"))
    open_fds.insert(std::stoi(fd.path().filename().string()));
  int free_seen = 0;
  rlim_t third_free = 0;
  for (int n = 0; free_seen < 3; ++n) {
    if (open_fds.count(n) == 0 && ++free_seen == 3) third_free = static_cast<rlim_t>(n);
  }
  rlimit original{};
  ASSERT_EQ(::prlimit(lmpd.pid(), RLIMIT_NOFILE, nullptr, &original), 0);
  rlimit tight = original;
  tight.rlim_cur = third_free;
  ASSERT_EQ(::prlimit(lmpd.pid(), RLIMIT_NOFILE, &tight, nullptr), 0);

  auto first = std::make_unique<LineClient>(lmpd.port());
  auto second = std::make_unique<LineClient>(lmpd.port());
  ASSERT_EQ(first->request("PING"), "OK");
  ASSERT_EQ(second->request("PING"), "OK");
  // These two are connected by the kernel, but lmpd has no descriptor to accept them with.
  LineClient queued_a(lmpd.port());
  LineClient queued_b(lmpd.port());
  queued_a.send("PING tag=a");
  queued_b.send("PING tag=b");
  EXPECT_EQ(queued_a.read_line(std::chrono::milliseconds(1000)), std::nullopt);
  // Out of descriptors, the connections lmpd has keep being served, durable writes included.
  const std::string checkout = first->request("CHECKOUT code=" + code + " product=cad");
  EXPECT_EQ(status_of(checkout), "OK") << checkout;
  EXPECT_EQ(status_of(second->request("CHECKIN lease=" + fields_of(checkout)["lease"])), "OK");

  // Descriptors come free: the queued connections are accepted and answered.
  first.reset();
  second.reset();
  EXPECT_EQ(queued_a.read_line(), "OK tag=a");
  EXPECT_EQ(queued_b.read_line(), "OK tag=b");

  ASSERT_EQ(::prlimit(lmpd.pid(), RLIMIT_NOFILE, &original, nullptr), 0);
  HttpClient http(admin);
  http.send_raw(request_text("GET", "/metrics"));
  auto reply = http.read_reply();
  ASSERT_TRUE(reply);
  // About one failed attempt per 100 ms during the second the listener was out of descriptors;
  // accepting again at once after each failure would have made it tens of thousands.
  const double failures =
      counter_value(reply->body, "lmp_accept_failures_total{listener=\"seat\"}");
  EXPECT_GE(failures, 1);
  EXPECT_LE(failures, 100);
  EXPECT_NE(read_file(log_path()).find("event=accept_failed listener=seat"), std::string::npos);
}

}  // namespace
}  // namespace lmp::test
