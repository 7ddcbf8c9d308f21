// The real lmpd executable: killed with SIGKILL under load and restarted, stopped with SIGTERM,
// reloaded with SIGHUP, and its command-line tools (--check-config, admin).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "lmp/sdk/plugin.hpp"
#include "support/daemon_process.hpp"
#include "support/line_client.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

std::string config_text(const std::string& extra_product = "") {
  return std::string("listeners:\n  seat:\n    address: 127.0.0.1\n    port: 0\n") +
         "  admin:\n    address: 127.0.0.1\n    port: 0\n" +
         "storage:\n  sqlite:\n    path: lmpd.db\n" +
         "plugins:\n  directory: " + LMP_TEST_PLUGIN_DIR + "\n" +
         "products:\n"
         "  - code: cad\n    name: CAD Studio\n    family: software\n    unit: seats\n" +
         extra_product;
}

class ProcessTest : public ::testing::Test {
 protected:
  void SetUp() override { write_config(config_text()); }
  void write_config(const std::string& text) { std::ofstream(config_path()) << text; }
  std::filesystem::path config_path() const { return dir_.path() / "lmpd.yaml"; }
  std::filesystem::path log_path() const { return dir_.path() / "lmpd.log"; }
  CommandResult admin(std::vector<std::string> words) {
    std::vector<std::string> argv = {LMP_TEST_LMPD_BINARY, "admin", "--config",
                                     config_path().string()};
    argv.insert(argv.end(), words.begin(), words.end());
    return run_command(argv);
  }
  std::string new_license(int units) {
    auto r = admin({"create-license", "--customer", "acme", "--product", "cad", "--units",
                    std::to_string(units)});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto at = r.out.find("activation code: ");
    if (at == std::string::npos) return {};
    return r.out.substr(at + 17, 23);
  }
  bool log_has(const std::string& needle, std::chrono::seconds within = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < deadline) {
      if (read_file(log_path()).find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  TempDir dir_;
};

TEST_F(ProcessTest, AdminCreatesLicensesThatCheckOut) {
  auto code = new_license(3);
  ASSERT_EQ(code.size(), 23u);
  auto dup = admin({"create-customer", "acme"});
  EXPECT_EQ(dup.exit_code, 1);
  EXPECT_NE(dup.err.find("already exists"), std::string::npos) << dup.err;
  auto bad = admin({"create-license", "--customer", "acme", "--product", "nope", "--units", "1"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("no product 'nope'"), std::string::npos) << bad.err;
  EXPECT_EQ(admin({"create-license", "--customer", "acme"}).exit_code, 2);
  auto list = admin({"list-licenses"});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_NE(list.out.find("acme"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("3 seats"), std::string::npos) << list.out;

  DaemonProcess lmpd(config_path(), log_path());
  LineClient c(lmpd.port());
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code)), "OK");
  EXPECT_EQ(fields_of(c.request("STATUS code=" + code))["used"], "1");
}

TEST_F(ProcessTest, AdminListsLicensesAsJson) {
  new_license(3);
  auto list = admin({"list-licenses", "--json"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  // One line: an array of the objects the API answers for a license.
  EXPECT_TRUE(list.out.starts_with("[{\"id\":1,")) << list.out;
  EXPECT_NE(list.out.find("\"product\":\"cad\""), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("\"units\":3"), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find('\n'), list.out.size() - 1) << list.out;
  EXPECT_EQ(admin({"create-customer", "x", "--json"}).exit_code, 2);
}

TEST_F(ProcessTest, UnknownCommandsAreOneLine) {
  auto admin_typo = admin({"list-licences"});
  EXPECT_EQ(admin_typo.exit_code, 2);
  EXPECT_EQ(admin_typo.err,
            "lmpd admin: unknown command 'list-licences' (`lmpd admin --help` lists the "
            "commands)\n");
  auto lmpd_typo = run_command({LMP_TEST_LMPD_BINARY, "--chek-config", "x"});
  EXPECT_EQ(lmpd_typo.exit_code, 2);
  EXPECT_EQ(lmpd_typo.err,
            "lmpd: unknown option --chek-config (`lmpd --help` lists the options)\n");
}

TEST_F(ProcessTest, CheckConfigReportsEveryProblemWithItsPosition) {
  write_config(
      "listeners:\n  seat:\n    port: 99999\n    prot: 1\n"
      "products:\n  - code: cad\n    name: CAD\n    family: nosuch\n    unit: seats\n");
  auto r = run_command({LMP_TEST_LMPD_BINARY, "--check-config", config_path().string()});
  EXPECT_EQ(r.exit_code, 1);
  const std::string file = config_path().string();
  EXPECT_NE(r.err.find(file + ":3:11:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(file + ":4:5:"), std::string::npos) << r.err;

  // Syntax is fine now, but no plugin provides the family: still refused, with the position.
  write_config(std::string("plugins:\n  directory: ") + LMP_TEST_PLUGIN_DIR +
               "\nproducts:\n  - code: cad\n    name: CAD\n    family: nosuch\n    unit: seats\n");
  r = run_command({LMP_TEST_LMPD_BINARY, "--check-config", config_path().string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(file + ":4:5: product 'cad': no plugin provides family 'nosuch'"),
            std::string::npos)
      << r.err;

  write_config(config_text());
  r = run_command({LMP_TEST_LMPD_BINARY, "--check-config", config_path().string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(ProcessTest, SigkillUnderLoadLosesNoAcknowledgedLease) {
  constexpr int kUnits = 400;
  auto code = new_license(kUnits);
  std::vector<std::string> acknowledged;
  std::mutex mutex;
  for (int round = 0; round < 3; ++round) {
    DaemonProcess lmpd(config_path(), log_path());
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t) {
      clients.emplace_back([&, port = lmpd.port()] {
        try {
          LineClient c(port);
          while (!stop) {
            c.send("CHECKOUT code=" + code);
            auto line = c.read_line(std::chrono::seconds(5));
            if (!line) return;  // the server died under us
            if (status_of(*line) != "OK") continue;
            std::lock_guard lock(mutex);
            acknowledged.push_back(fields_of(*line)["lease"]);
            if (acknowledged.size() >= static_cast<std::size_t>(kUnits - 10)) return;
          }
        } catch (const std::exception&) {
        }
      });
    }
    // Kill it while the clients are mid-request.
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    lmpd.kill_hard();
    stop = true;
    for (auto& t : clients) t.join();
  }
  ASSERT_GT(acknowledged.size(), 0u);
  DaemonProcess lmpd(config_path(), log_path());
  LineClient c(lmpd.port());
  for (const auto& lease : acknowledged)
    ASSERT_EQ(status_of(c.request("HEARTBEAT lease=" + lease)), "OK") << lease;
  auto used = std::stoll(fields_of(c.request("STATUS code=" + code))["used"]);
  // Every acknowledged lease is there; a checkout committed whose answer was lost to the kill
  // may add to them, but never past the license.
  EXPECT_GE(used, static_cast<long long>(acknowledged.size()));
  EXPECT_LE(used, kUnits);
}

// The seat listener binds and logs `listening` before the admin listener fails to bind; lmpd
// must then exit, and a watcher of its log must not take the first line for a start.
TEST_F(ProcessTest, AnAdminPortInUseStopsTheStartAfterTheSeatListenerBound) {
  const int taken = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(taken, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(taken, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(taken, 1), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(taken, reinterpret_cast<sockaddr*>(&address), &length), 0);
  std::string text = config_text();
  const std::string admin_port = "  admin:\n    address: 127.0.0.1\n    port: 0\n";
  text.replace(text.find(admin_port), admin_port.size(),
               "  admin:\n    address: 127.0.0.1\n    port: " +
                   std::to_string(ntohs(address.sin_port)) + "\n");
  write_config(text);
  try {
    DaemonProcess lmpd(config_path(), log_path());
    FAIL() << "lmpd counted as started with its admin port taken:\n" << read_file(log_path());
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("exited during startup"), std::string::npos) << e.what();
  }
  EXPECT_NE(read_file(log_path()).find("event=listening listener=seat"), std::string::npos);
  ::close(taken);
}

// A flood of refused connections writes a bounded number of log lines (10 per 10 s per
// listener), not one per connection.
TEST_F(ProcessTest, RefusedConnectionsDoNotFloodTheLog) {
  write_config(config_text() + "limits:\n  max_connections: 1\n");
  DaemonProcess lmpd(config_path(), log_path());
  LineClient holder(lmpd.port());
  ASSERT_EQ(holder.request("PING"), "OK");
  for (int i = 0; i < 30; ++i) {
    LineClient refused(lmpd.port());
    EXPECT_EQ(status_of(refused.read_line().value_or("")), "unavailable") << i;
  }
  ASSERT_EQ(holder.request("PING"), "OK");
  const std::string log = read_file(log_path());
  std::size_t lines = 0;
  for (auto at = log.find("event=connection_refused"); at != std::string::npos;
       at = log.find("event=connection_refused", at + 1))
    ++lines;
  EXPECT_EQ(lines, 10u) << log;
}

TEST_F(ProcessTest, SecondDaemonOnTheSameDatabaseRefusesToStart) {
  DaemonProcess first(config_path(), log_path());
  try {
    DaemonProcess second(config_path(), dir_.path() / "second.log");
    FAIL() << "a second lmpd started on the same database";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("another lmpd is already serving"), std::string::npos)
        << e.what();
  }
  LineClient c(first.port());
  EXPECT_EQ(c.request("PING"), "OK");
}

TEST_F(ProcessTest, AWrongOrMissingServerSecretStopsTheStartWithAClearError) {
  const std::string code = new_license(2);
  const auto secret = dir_.path() / "lmpd.db.secret";
  ASSERT_EQ(read_file(secret).size(), 32u);  // made with the database, by `lmpd admin`
  const std::string right = read_file(secret);
  auto start_error = [&] {
    try {
      DaemonProcess lmpd(config_path(), log_path());
      return std::string("lmpd started");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
  };
  std::ofstream(secret, std::ios::trunc) << std::string(32, 'x');
  EXPECT_NE(start_error().find("is not the one this database was made with"), std::string::npos);
  std::filesystem::remove(secret);
  const std::string missing = start_error();
  EXPECT_NE(missing.find("is missing"), std::string::npos) << missing;
  EXPECT_NE(missing.find("restore it from the backup"), std::string::npos) << missing;
  EXPECT_FALSE(std::filesystem::exists(secret));
  // The right file back, lmpd serves the license as before.
  std::ofstream(secret, std::ios::binary) << right;
  DaemonProcess lmpd(config_path(), log_path());
  LineClient c(lmpd.port());
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code)), "OK");
}

// Which plugin serves a family, and in which version, is in the log from the start.
TEST_F(ProcessTest, EachLoadedPluginIsLoggedWithItsVersionAndFile) {
  DaemonProcess lmpd(config_path(), log_path());
  const auto log = read_file(log_path());
  EXPECT_NE(log.find("event=plugin_loaded family=software version=1.0.0 file=" +
                     std::string(LMP_TEST_PLUGIN_DIR) +
                     "/lmp_family_software.so toolchain=" + LMP_SDK_TOOLCHAIN_TAG + "\n"),
            std::string::npos)
      << log;
}

TEST_F(ProcessTest, SigtermStopsCleanly) {
  DaemonProcess lmpd(config_path(), log_path());
  LineClient c(lmpd.port());
  EXPECT_EQ(c.request("PING"), "OK");
  EXPECT_EQ(lmpd.terminate(), 0);
  auto log = read_file(log_path());
  EXPECT_NE(log.find("event=shutting_down"), std::string::npos) << log;
  EXPECT_NE(log.find("event=stopped"), std::string::npos) << log;
}

// A client that stops reading keeps its connection busy with answers it never takes: on SIGTERM
// lmpd waits limits.shutdown_timeout_seconds for it, then cuts it and still exits cleanly.
TEST_F(ProcessTest, ShutdownCutsConnectionsStillBusyAfterItsTimeout) {
  write_config(config_text() + "limits:\n  shutdown_timeout_seconds: 1\n");
  DaemonProcess lmpd(config_path(), log_path());
  LineClient stuck(lmpd.port());
  // HELLOs (6 bytes asking for about 50) until neither the socket buffers nor lmpd's
  // unsent-answer bound take more. A slow lmpd (sanitizers, a busy machine) can take seconds to
  // work through the requests buffered so far, so only 3 s in a row without progress count as
  // stuck.
  std::string hellos;
  for (std::size_t i = 0; i < 10000; ++i) hellos += "HELLO\n";
  std::size_t sent = 0;
  int idle_waits = 0;
  while (auto n = stuck.send_some(hellos, std::chrono::milliseconds(500))) {
    sent += *n;
    idle_waits = *n == 0 ? idle_waits + 1 : 0;
    if (idle_waits == 6) break;
  }
  ASSERT_GT(sent, 0u);
  EXPECT_EQ(lmpd.terminate(), 0);
  auto log = read_file(log_path());
  EXPECT_NE(log.find("event=shutdown_dropped_connections count=1"), std::string::npos) << log;
  EXPECT_NE(log.find("event=stopped"), std::string::npos) << log;
}

TEST_F(ProcessTest, ReloadKeepsTheOldConfigWhenTheNewOneIsBroken) {
  auto code = new_license(2);
  DaemonProcess lmpd(config_path(), log_path());
  LineClient c(lmpd.port());
  auto lease = fields_of(c.request("CHECKOUT code=" + code))["lease"];
  write_config("products: [\n");
  lmpd.signal(SIGHUP);
  ASSERT_TRUE(log_has("event=reload_failed"));
  EXPECT_NE(read_file(log_path()).find("lmpd.yaml:"), std::string::npos);
  EXPECT_EQ(c.request("PING"), "OK");
  EXPECT_EQ(status_of(c.request("HEARTBEAT lease=" + lease)), "OK");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code)), "OK");

  write_config(config_text(
      "  - code: cam\n    name: CAM Studio\n    family: software\n    unit: endpoints\n"));
  lmpd.signal(SIGHUP);
  ASSERT_TRUE(log_has("event=reloaded"));
  auto cam = admin({"create-license", "--customer", "acme", "--product", "cam", "--units", "1"});
  ASSERT_EQ(cam.exit_code, 0) << cam.err;
  auto cam_code = cam.out.substr(cam.out.find("activation code: ") + 17, 23);
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + cam_code + " host=h1")), "OK");
  // The connection and the lease taken before both reloads are still there.
  EXPECT_EQ(status_of(c.request("HEARTBEAT lease=" + lease)), "OK");
}

// The site policy file: loaded at start, and at a reload; a wrong one is refused with its
// file:line:column in the log and the policy in force stays.
TEST_F(ProcessTest, AReloadWithABrokenPolicyFileKeepsThePolicyAndLogsWhereItIsWrong) {
  const auto code = new_license(5);
  const auto policy = dir_.path() / "policy.yaml";
  std::ofstream(policy) << "policies:\n  - customer: acme\n    exclude: [user:mallory]\n";
  write_config(config_text() + "policy:\n  file: policy.yaml\n");
  DaemonProcess lmpd(config_path(), log_path());
  LineClient c(lmpd.port());
  const std::string checkout = "CHECKOUT code=" + code + " ";
  EXPECT_EQ(status_of(c.request(checkout + "user=mallory host=m1")), "not_allowed");

  std::ofstream(policy) << "policies:\n  - customer: acme\n    exclude: [user:ann]\n"
                        << "    linger: -5\n";
  const std::string wrong = policy.string() + ":4:5: policies[0].linger: must be 0 to 86400";
  const auto check = run_command({LMP_TEST_LMPD_BINARY, "--check-config", config_path().string()});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_NE(check.err.find(wrong), std::string::npos) << check.err;
  lmpd.signal(SIGHUP);
  ASSERT_TRUE(log_has("event=reload_failed"));
  const auto log = read_file(log_path());
  EXPECT_NE(log.find(wrong + ", not -5"), std::string::npos) << log;
  EXPECT_EQ(status_of(c.request(checkout + "user=mallory host=m1")), "not_allowed");
  EXPECT_EQ(status_of(c.request(checkout + "user=ann host=a1")), "OK");

  std::ofstream(policy) << "policies:\n  - customer: acme\n    exclude: [user:ann]\n";
  lmpd.signal(SIGHUP);
  ASSERT_TRUE(log_has("event=reloaded"));
  EXPECT_EQ(status_of(c.request(checkout + "user=ann host=a2")), "not_allowed");
  EXPECT_EQ(status_of(c.request(checkout + "user=mallory host=m1")), "OK");
}

// A plugin dropped into the plugin folder serves its family after a reload, as --check-config
// promised, with no restart.
TEST_F(ProcessTest, ReloadLoadsAPluginOfANewFamily) {
  const auto plugins = dir_.path() / "plugins";
  std::filesystem::create_directory(plugins);
  std::filesystem::copy_file(std::string(LMP_TEST_PLUGIN_DIR) + "/lmp_family_software.so",
                             plugins / "lmp_family_software.so");
  auto with_plugins = [&](const std::string& text) {
    std::string out = text;
    const std::string from = std::string("directory: ") + LMP_TEST_PLUGIN_DIR;
    return out.replace(out.find(from), from.size(), "directory: " + plugins.string());
  };
  write_config(with_plugins(config_text()));
  DaemonProcess lmpd(config_path(), log_path());

  std::filesystem::copy_file(std::string(LMP_TEST_PLUGIN_DIR) + "/lmp_family_saas.so",
                             plugins / "lmp_family_saas.so");
  write_config(with_plugins(
      config_text("  - code: crm\n    name: CRM Cloud\n    family: saas\n    unit: users\n")));
  auto check = run_command({LMP_TEST_LMPD_BINARY, "--check-config", config_path().string()});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  lmpd.signal(SIGHUP);
  ASSERT_TRUE(log_has("event=reloaded")) << read_file(log_path());
  const auto log = read_file(log_path());
  EXPECT_NE(log.find("event=plugin_loaded family=saas version=1.0.0 file=" +
                     (plugins / "lmp_family_saas.so").string()),
            std::string::npos)
      << log;
  // The software plugin, loaded at start, is not loaded a second time.
  const std::string software = "event=plugin_loaded family=software";
  EXPECT_EQ(log.find(software, log.find(software) + 1), std::string::npos) << log;
  auto crm = admin({"create-license", "--customer", "acme", "--product", "crm", "--units", "1"});
  ASSERT_EQ(crm.exit_code, 0) << crm.err;
  const auto crm_code = crm.out.substr(crm.out.find("activation code: ") + 17, 23);
  LineClient c(lmpd.port());
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + crm_code + " user=ann host=h1")), "OK");
}

// A third party keeps its plugin in a folder of its own (plugins.directories), not in the one the
// package owns: its family serves checkouts, and a file added there loads on reload.
TEST_F(ProcessTest, APluginInASecondFolderLoadsAtStartAndOnReload) {
  const auto vendor = dir_.path() / "vendor-plugins";
  std::filesystem::create_directory(vendor);
  std::filesystem::copy_file(std::string(LMP_TEST_PLUGIN_DIR) + "/lmp_family_saas.so",
                             vendor / "lmp_family_saas.so");
  // The packaged folder here holds only the software family.
  const auto packaged = dir_.path() / "plugins";
  std::filesystem::create_directory(packaged);
  std::filesystem::copy_file(std::string(LMP_TEST_PLUGIN_DIR) + "/lmp_family_software.so",
                             packaged / "lmp_family_software.so");
  auto with_folders = [&](const std::string& text) {
    std::string out = text;
    const std::string from = std::string("directory: ") + LMP_TEST_PLUGIN_DIR;
    // The second folder relative to the config file, as an admin would write it.
    return out.replace(out.find(from), from.size(),
                       "directory: " + packaged.string() + "\n  directories: [vendor-plugins]");
  };
  write_config(with_folders(
      config_text("  - code: crm\n    name: CRM Cloud\n    family: saas\n    unit: users\n")));
  auto check = run_command({LMP_TEST_LMPD_BINARY, "--check-config", config_path().string()});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  DaemonProcess lmpd(config_path(), log_path());
  EXPECT_TRUE(log_has("event=plugin_loaded family=saas version=1.0.0 file=" +
                      (vendor / "lmp_family_saas.so").string()))
      << read_file(log_path());
  auto crm = admin({"create-license", "--customer", "acme", "--product", "crm", "--units", "1"});
  ASSERT_EQ(crm.exit_code, 0) << crm.err;
  const auto crm_code = crm.out.substr(crm.out.find("activation code: ") + 17, 23);
  LineClient c(lmpd.port());
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + crm_code + " user=ann host=h1")), "OK");

  // A suite plugin dropped into the vendor folder serves after a reload.
  std::filesystem::copy_file(std::string(LMP_TEST_PLUGIN_DIR) + "/lmp_family_suite.so",
                             vendor / "lmp_family_suite.so");
  write_config(with_folders(
      config_text("  - code: crm\n    name: CRM Cloud\n    family: saas\n    unit: users\n"
                  "  - code: office\n    name: Office\n    family: suite\n    unit: seats\n"
                  "    components: [cad]\n")));
  lmpd.signal(SIGHUP);
  ASSERT_TRUE(log_has("event=reloaded")) << read_file(log_path());
  EXPECT_TRUE(log_has("event=plugin_loaded family=suite")) << read_file(log_path());
}

// A stand-in for systemd's notification socket: a datagram socket the test reads.
class NotifySocket {
 public:
  explicit NotifySocket(const std::filesystem::path& path) : path_(path.string()) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path_.copy(address.sun_path, sizeof address.sun_path - 1);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
      throw std::runtime_error("cannot bind the notify socket " + path_);
  }
  ~NotifySocket() { ::close(fd_); }
  std::string environment() const { return "NOTIFY_SOCKET=" + path_; }

  // The next message, or empty when none comes within `within`.
  std::string next(std::chrono::milliseconds within = std::chrono::milliseconds(10000)) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(within.count())) != 1) return {};
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
  }
  // Reads past watchdog pings to the next other message.
  std::string next_besides_watchdog() {
    std::string message;
    do {
      message = next();
    } while (message == "WATCHDOG=1");
    return message;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

TEST_F(ProcessTest, TellsSystemdWhenItIsReadyReloadingAliveAndStopping) {
  NotifySocket systemd(dir_.path() / "notify");
  DaemonProcess lmpd(config_path(), log_path(), {systemd.environment(), "WATCHDOG_USEC=200000"});
  EXPECT_EQ(systemd.next(), "READY=1\nSTATUS=serving");
  // Pings come only after a probe went through the storage thread and back, every 100 ms.
  EXPECT_EQ(systemd.next(), "WATCHDOG=1");
  EXPECT_EQ(systemd.next(), "WATCHDOG=1");

  lmpd.signal(SIGHUP);
  const std::string reloading = systemd.next_besides_watchdog();
  EXPECT_EQ(reloading.rfind("RELOADING=1\nMONOTONIC_USEC=", 0), 0u) << reloading;
  EXPECT_GT(std::stoll(reloading.substr(reloading.find('=', 12) + 1)), 0);
  EXPECT_EQ(systemd.next_besides_watchdog(), "READY=1\nSTATUS=serving; config reloaded");

  write_config("products: [\n");
  lmpd.signal(SIGHUP);
  EXPECT_EQ(systemd.next_besides_watchdog().rfind("RELOADING=1\n", 0), 0u);
  EXPECT_EQ(systemd.next_besides_watchdog(),
            "READY=1\nSTATUS=serving; reload refused, previous config kept (see the log)");

  ::kill(lmpd.pid(), SIGTERM);
  EXPECT_EQ(systemd.next_besides_watchdog(), "STOPPING=1\nSTATUS=stopping");
  EXPECT_EQ(lmpd.terminate(), 0);
}

TEST_F(ProcessTest, WatchdogMeantForAnotherProcessIsNotAnswered) {
  NotifySocket systemd(dir_.path() / "notify");
  DaemonProcess lmpd(config_path(), log_path(),
                     {systemd.environment(), "WATCHDOG_USEC=100000", "WATCHDOG_PID=1"});
  EXPECT_EQ(systemd.next(), "READY=1\nSTATUS=serving");
  EXPECT_EQ(systemd.next(std::chrono::milliseconds(500)), "");
}

}  // namespace
}  // namespace lmp::test
