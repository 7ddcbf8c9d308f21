// Config loader, accepted input: the shipped example, defaults, every key's effect, path
// resolution and reading from files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config/config_loader.hpp"

namespace fs = std::filesystem;
using lmp::config::Config;
using lmp::config::load_file;
using lmp::config::load_string;
using lmp::config::LoadResult;

namespace {

std::string joined_errors(const LoadResult& result) {
  std::string all;
  for (const auto& e : result.errors) all += e.to_string() + "\n";
  return all;
}

Config load_ok(const std::string& yaml, const std::string& base_dir = "/etc/lmpd") {
  LoadResult result = load_string(yaml, "t.yaml", base_dir);
  EXPECT_TRUE(result.ok()) << joined_errors(result);
  EXPECT_TRUE(result.config.has_value());
  return result.config.value_or(Config{});
}

// The 1-based number of the first line of `file` containing `needle`, or 0.
int line_of(const std::string& file, const std::string& needle) {
  std::ifstream in(file);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number)
    if (line.find(needle) != std::string::npos) return number;
  return 0;
}

}  // namespace

// A fresh folder per test, removed afterwards, for the tests that need real files.
class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("lmp_config_test_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir_, ec);
  }
  fs::path write(const std::string& name, const std::string& content) {
    fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << content;
    return path;
  }
  fs::path dir_;
};

TEST(ConfigExample, LoadsWithTheDocumentedValues) {
  const std::string file = std::string(LMP_SOURCE_DIR) + "/config/lmpd.yaml";
  LoadResult result = load_file(file);
  ASSERT_TRUE(result.ok()) << joined_errors(result);
  const Config& c = *result.config;
  const fs::path root = fs::path(LMP_SOURCE_DIR).lexically_normal();

  EXPECT_EQ(c.source_file, fs::absolute(file).lexically_normal().string());
  EXPECT_EQ(c.seat_listener.address, "127.0.0.1");
  EXPECT_EQ(c.seat_listener.port, 27400);
  EXPECT_TRUE(c.seat_listener.enabled);
  EXPECT_EQ(c.admin_listener.address, "127.0.0.1");
  EXPECT_EQ(c.admin_listener.port, 27480);
  EXPECT_TRUE(c.admin_listener.enabled);
  EXPECT_EQ(c.storage.backend, lmp::storage::Backend::sqlite);
  EXPECT_EQ(c.storage.sqlite_path, (root / "state" / "lmpd.db").string());
  EXPECT_EQ(c.storage.synchronous, lmp::storage::Synchronous::full);
  EXPECT_EQ(c.storage.busy_timeout_seconds, 5);
  EXPECT_EQ(c.storage.max_batch, 1024);
  EXPECT_EQ(c.plugin_directory, (root / "build" / "plugins").string());
  EXPECT_EQ(c.leases.duration_seconds, 300);
  EXPECT_EQ(c.leases.heartbeat_seconds, 60);
  EXPECT_EQ(c.leases.reclaim_interval_ms, 1000);
  EXPECT_EQ(c.leases.max_wait_seconds, 300);
  EXPECT_EQ(c.limits.invalid_code_burst, 10);
  EXPECT_EQ(c.limits.invalid_code_window_seconds, 60);
  EXPECT_EQ(c.limits.max_connections, 4096u);
  EXPECT_EQ(c.limits.idle_timeout_seconds, 600);
  EXPECT_EQ(c.limits.max_connections_per_address, 1000u);
  EXPECT_EQ(c.limits.max_unsent_bytes, 1048576u);
  EXPECT_EQ(c.limits.send_timeout_seconds, 30);
  EXPECT_EQ(c.limits.max_waiters, 100000u);
  EXPECT_EQ(c.logging.level, "info");

  ASSERT_EQ(c.products.size(), 3u);
  const auto* crm = c.find_product("crm-cloud");
  ASSERT_NE(crm, nullptr);
  EXPECT_EQ(crm->family, "saas");
  EXPECT_EQ(crm->unit, lmp::sdk::UnitType::users);
  EXPECT_EQ(crm->settings, (std::map<std::string, std::string>{{"inactivity_days", "30"},
                                                               {"overage_percent", "10"}}));
  const auto* cad = c.find_product("cad-pro");
  ASSERT_NE(cad, nullptr);
  EXPECT_EQ(cad->name, "CAD Pro");
  EXPECT_EQ(cad->family, "software");
  EXPECT_EQ(cad->unit, lmp::sdk::UnitType::seats);
  EXPECT_EQ(cad->settings, (std::map<std::string, std::string>{{"lease_seconds", "600"},
                                                               {"heartbeat_seconds", "120"}}));
  EXPECT_EQ(cad->setting_positions.at("lease_seconds").file, file);
  EXPECT_EQ(cad->setting_positions.at("lease_seconds").line, line_of(file, "lease_seconds: 600"));
  EXPECT_EQ(cad->setting_positions.at("lease_seconds").column, 7);
  EXPECT_EQ(cad->position.line, line_of(file, "- code: cad-pro"));
  EXPECT_EQ(cad->position.column, 5);
  EXPECT_FALSE(cad->end_of_sale_unix.has_value());
  EXPECT_FALSE(cad->end_of_life_unix.has_value());

  const auto* scan = c.find_product("scan-agent");
  ASSERT_NE(scan, nullptr);
  EXPECT_EQ(scan->name, "Scan Agent");
  EXPECT_EQ(scan->family, "software");
  EXPECT_EQ(scan->unit, lmp::sdk::UnitType::endpoints);
  EXPECT_TRUE(scan->settings.empty());
}

TEST(ConfigDefaults, EmptyDocumentGivesEveryDefault) {
  const Config defaults;
  for (const std::string yaml : {"", "# only a comment\n", "---\n", "listeners:\nstorage:\n"}) {
    SCOPED_TRACE(yaml);
    Config c = load_ok(yaml);
    EXPECT_EQ(c.source_file, "t.yaml");
    EXPECT_EQ(c.seat_listener.address, defaults.seat_listener.address);
    EXPECT_EQ(c.seat_listener.port, defaults.seat_listener.port);
    EXPECT_EQ(c.seat_listener.enabled, defaults.seat_listener.enabled);
    EXPECT_EQ(c.admin_listener.address, "127.0.0.1");
    EXPECT_EQ(c.admin_listener.port, 27480);
    EXPECT_TRUE(c.admin_listener.enabled);
    EXPECT_EQ(c.storage.backend, lmp::storage::Backend::sqlite);
    EXPECT_EQ(c.storage.sqlite_path, "/etc/lmpd/lmpd.db");
    EXPECT_EQ(c.storage.synchronous, defaults.storage.synchronous);
    EXPECT_EQ(c.storage.busy_timeout_seconds, defaults.storage.busy_timeout_seconds);
    EXPECT_EQ(c.storage.max_batch, defaults.storage.max_batch);
    EXPECT_EQ(c.plugin_directory, LMP_DEFAULT_PLUGIN_DIR);
    EXPECT_EQ(c.leases.duration_seconds, defaults.leases.duration_seconds);
    EXPECT_EQ(c.leases.heartbeat_seconds, defaults.leases.heartbeat_seconds);
    EXPECT_EQ(c.leases.reclaim_interval_ms, defaults.leases.reclaim_interval_ms);
    EXPECT_EQ(c.leases.max_wait_seconds, defaults.leases.max_wait_seconds);
    EXPECT_TRUE(c.limits == defaults.limits);
    EXPECT_EQ(c.logging.level, defaults.logging.level);
    EXPECT_TRUE(c.products.empty());
  }
}

TEST(ConfigValues, EveryKeyIsStored) {
  Config c = load_ok(R"(
listeners:
  seat: {address: "::1", port: 0, enabled: false}
storage:
  backend: sqlite
  sqlite: {path: /var/lib/lmpd/seats.db, synchronous: normal, busy_timeout_seconds: 3600}
  max_batch: 100000
plugins:
  directory: /opt/lmpd/plugins
leases:
  heartbeat_seconds: 4
  duration_seconds: 5
  reclaim_interval_ms: 10
  max_wait_seconds: 0
limits:
  invalid_code_burst: 1000000
  invalid_code_window_seconds: 86400
  max_connections: 1
  idle_timeout_seconds: 1
  max_connections_per_address: 1
  max_unsent_bytes: 1073741824
  send_timeout_seconds: 3600
  max_waiters: 0
logging:
  level: debug
products:
  - code: A.b_c-9
    name: "Quoted: name"
    family: fam_2
    unit: encryption_keys
    settings: {mode: per_user, limit: "07", flag: true}
    end_of_sale: 2028-02-29
    end_of_life: "2030-12-31"
  - {code: same-day, name: S, family: f, unit: users, end_of_sale: 2027-06-30, end_of_life: 2027-06-30}
)");
  EXPECT_EQ(c.seat_listener.address, "::1");
  EXPECT_EQ(c.seat_listener.port, 0);
  EXPECT_FALSE(c.seat_listener.enabled);
  EXPECT_EQ(c.storage.sqlite_path, "/var/lib/lmpd/seats.db");
  EXPECT_EQ(c.storage.synchronous, lmp::storage::Synchronous::normal);
  EXPECT_EQ(c.storage.busy_timeout_seconds, 3600);
  EXPECT_EQ(c.storage.max_batch, 100000);
  EXPECT_EQ(c.plugin_directory, "/opt/lmpd/plugins");
  EXPECT_EQ(c.leases.duration_seconds, 5);
  EXPECT_EQ(c.leases.heartbeat_seconds, 4);
  EXPECT_EQ(c.leases.reclaim_interval_ms, 10);
  EXPECT_EQ(c.leases.max_wait_seconds, 0);
  EXPECT_EQ(c.limits.invalid_code_burst, 1000000);
  EXPECT_EQ(c.limits.invalid_code_window_seconds, 86400);
  EXPECT_EQ(c.limits.max_connections, 1u);
  EXPECT_EQ(c.limits.idle_timeout_seconds, 1);
  EXPECT_EQ(c.limits.max_connections_per_address, 1u);
  EXPECT_EQ(c.limits.max_unsent_bytes, 1073741824u);
  EXPECT_EQ(c.limits.send_timeout_seconds, 3600);
  EXPECT_EQ(c.limits.max_waiters, 0u);
  EXPECT_EQ(c.logging.level, "debug");

  ASSERT_EQ(c.products.size(), 2u);
  const auto& p = c.products[0];
  EXPECT_EQ(p.code, "A.b_c-9");
  EXPECT_EQ(p.name, "Quoted: name");
  EXPECT_EQ(p.family, "fam_2");
  EXPECT_EQ(p.unit, lmp::sdk::UnitType::encryption_keys);
  EXPECT_EQ(p.settings, (std::map<std::string, std::string>{
                            {"mode", "per_user"}, {"limit", "07"}, {"flag", "true"}}));
  EXPECT_EQ(p.setting_positions.at("limit").line, 31);
  EXPECT_EQ(p.setting_positions.at("limit").column, 32);
  EXPECT_EQ(p.position.line, 27);
  EXPECT_EQ(p.position.column, 5);
  EXPECT_EQ(p.end_of_sale_unix, 1835395200);  // 2028-02-29T00:00:00Z, a leap day
  EXPECT_EQ(p.end_of_life_unix, 1924905600);  // 2030-12-31T00:00:00Z
  EXPECT_EQ(c.products[1].unit, lmp::sdk::UnitType::users);
  EXPECT_EQ(c.products[1].end_of_sale_unix, 1814313600);  // 2027-06-30T00:00:00Z
  EXPECT_EQ(c.products[1].end_of_life_unix, 1814313600);
}

TEST(ConfigValues, AdminListenerKeysAreStoredApartFromTheSeatListener) {
  Config c = load_ok(
      "listeners:\n  seat: {port: 1}\n  admin:\n    address: \"::\"\n    port: 0\n"
      "    enabled: false\n");
  EXPECT_EQ(c.admin_listener.address, "::");
  EXPECT_EQ(c.admin_listener.port, 0);
  EXPECT_FALSE(c.admin_listener.enabled);
  EXPECT_EQ(c.seat_listener.address, "127.0.0.1");
  EXPECT_EQ(c.seat_listener.port, 1);
  EXPECT_TRUE(c.seat_listener.enabled);

  // An admin section with only some keys keeps the others' admin defaults, not the seat ones.
  Config partial = load_ok("listeners:\n  admin: {address: 0.0.0.0}\n");
  EXPECT_EQ(partial.admin_listener.address, "0.0.0.0");
  EXPECT_EQ(partial.admin_listener.port, 27480);
  EXPECT_TRUE(partial.admin_listener.enabled);
  EXPECT_EQ(load_ok("listeners:\n  admin: {port: 65535}\n").admin_listener.port, 65535);
}

TEST(ConfigValues, CoreSchemaTagsStateTheType) {
  Config c = load_ok("listeners:\n  seat:\n    port: !!int 8080\n    enabled: !!bool false\n");
  EXPECT_EQ(c.seat_listener.port, 8080);
  EXPECT_FALSE(c.seat_listener.enabled);
}

TEST(ConfigPaths, RelativePathsResolveAgainstTheBaseFolder) {
  Config c = load_ok(
      "storage:\n  sqlite:\n    path: ../state/lmpd.db\nplugins:\n  directory: ./plugins/\n",
      "/srv/lmpd/conf");
  EXPECT_EQ(c.storage.sqlite_path, "/srv/lmpd/state/lmpd.db");
  EXPECT_EQ(c.plugin_directory, "/srv/lmpd/conf/plugins/");
}

TEST(ConfigPaths, AbsolutePathsAreKeptAsWritten) {
  Config c = load_ok(
      "storage:\n  sqlite:\n    path: /var/lib/../lib/lmpd.db\nplugins:\n"
      "  directory: /usr/lib/lmpd/plugins\n");
  EXPECT_EQ(c.storage.sqlite_path, "/var/lib/../lib/lmpd.db");
  EXPECT_EQ(c.plugin_directory, "/usr/lib/lmpd/plugins");
}

TEST(ConfigPaths, MorePluginFoldersResolveInTheirOrder) {
  Config c = load_ok(
      "plugins:\n  directory: /usr/lib/lmpd/plugins\n"
      "  directories:\n    - vendor\n    - /usr/local/lib/lmpd/plugins\n",
      "/etc/lmpd");
  EXPECT_EQ(c.plugin_directories,
            (std::vector<std::string>{"/etc/lmpd/vendor", "/usr/local/lib/lmpd/plugins"}));
  EXPECT_EQ(c.plugin_folders(),
            (std::vector<std::string>{"/usr/lib/lmpd/plugins", "/etc/lmpd/vendor",
                                      "/usr/local/lib/lmpd/plugins"}));
  EXPECT_TRUE(load_ok("plugins:\n  directories: []\n").plugin_directories.empty());
}

TEST(ConfigPaths, RelativeBaseFolderIsTakenFromTheCurrentDirectory) {
  const fs::path cwd = fs::current_path();
  EXPECT_EQ(load_ok("", "conf/dir").storage.sqlite_path, (cwd / "conf/dir/lmpd.db").string());
  EXPECT_EQ(load_ok("", "").storage.sqlite_path, (cwd / "lmpd.db").string());
}

TEST_F(ConfigFileTest, PathsResolveAgainstTheFilesFolder) {
  fs::path file = write("etc/lmpd.yaml",
                        "storage:\n  sqlite:\n    path: ../var/data.db\nplugins:\n"
                        "  directory: plugins\n");
  LoadResult result = load_file(file.string());
  ASSERT_TRUE(result.ok()) << joined_errors(result);
  EXPECT_EQ(result.config->source_file, file.string());
  EXPECT_EQ(result.config->storage.sqlite_path, (dir_ / "var/data.db").string());
  EXPECT_EQ(result.config->plugin_directory, (dir_ / "etc/plugins").string());
}

TEST_F(ConfigFileTest, DefaultDatabaseSitsBesideTheFile) {
  fs::path file = write("lmpd.yaml", "logging:\n  level: warning\n");
  LoadResult result = load_file(file.string());
  ASSERT_TRUE(result.ok()) << joined_errors(result);
  EXPECT_EQ(result.config->storage.sqlite_path, (dir_ / "lmpd.db").string());
  EXPECT_EQ(result.config->logging.level, "warning");
}

TEST_F(ConfigFileTest, ErrorsNameTheFileAsGiven) {
  fs::path file = write("bad.yaml", "logging:\n  level: loud\n");
  LoadResult result = load_file(file.string());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_FALSE(result.config.has_value());
  EXPECT_EQ(result.errors[0].to_string(),
            file.string() +
                ":2:10: logging.level: expected debug, info, warning or error, got "
                "'loud'");
}

TEST_F(ConfigFileTest, MissingFileIsOneErrorWithoutPosition) {
  const std::string path = (dir_ / "absent.yaml").string();
  LoadResult result = load_file(path);
  EXPECT_FALSE(result.ok());
  EXPECT_FALSE(result.config.has_value());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].position.line, 0);
  EXPECT_EQ(result.errors[0].to_string(), path + ": cannot read file: No such file or directory");
}

TEST_F(ConfigFileTest, DirectoryIsUnreadable) {
  LoadResult result = load_file(dir_.string());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].to_string(), dir_.string() + ": cannot read file: Is a directory");
}

TEST_F(ConfigFileTest, FileWithoutPermissionIsUnreadable) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files regardless of their permissions";
  fs::path file = write("secret.yaml", "logging:\n  level: info\n");
  fs::permissions(file, fs::perms::none);
  LoadResult result = load_file(file.string());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].to_string(), file.string() + ": cannot read file: Permission denied");
}
