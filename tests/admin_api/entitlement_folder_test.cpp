// The watched folder of entitlements (entitlements.directory) on a site server, on each storage
// backend: its `*.jws` files imported at start and on reload through the importer of
// POST /v1/entitlements, a bad file refused, logged and audited beside good ones, a newer serial
// replacing terms, the activation code of a new license written beside its file.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/config_loader.hpp"
#include "entitlements_fixture.hpp"
#include "support/line_client.hpp"

namespace lmp::test {
namespace {

namespace fs = std::filesystem;

class EntitlementFolderTest : public EntitlementsFixture {
 protected:
  fs::path folder() const { return dir_.path() / "entitlements"; }
  void put(const std::string& name, const std::string& text) {
    fs::create_directories(folder());
    std::ofstream(folder() / name, std::ios::trunc) << text << "\n";
  }
  // The units of each of the site's licenses, in order.
  std::vector<std::int64_t> units_held() {
    std::vector<std::int64_t> units;
    const auto page = ok(root_token_, "GET", "/v1/licenses");
    for (const auto& l : page.at("items").as_array()) units.push_back(l.at("units").as_int64());
    std::sort(units.begin(), units.end());
    return units;
  }
  // The results of the imports audited, in order.
  std::vector<std::string> import_results() {
    std::vector<std::string> results;
    for (const auto& after : audited("entitlement.import"))
      results.emplace_back(after.at("result").as_string());
    std::sort(results.begin(), results.end());
    return results;
  }
  static std::string read(const fs::path& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, EntitlementFolderTest, kStorageBackends, backend_name);

TEST_P(EntitlementFolderTest, FilesAreImportedAtStartAndABadOneStopsNothing) {
  const auto license = vendor_license(3);
  put("a-contoso.jws", token(license));
  put("b-broken.jws", "not an entitlement");
  put("notes.txt", "not an entitlement either, and not looked at");
  put(".hidden.jws", "an editor's backup, not looked at");
  config_.entitlements.directory = folder().string();
  restart_site(kTestEpochMs);

  ASSERT_EQ(site_license_count(), 1);
  EXPECT_EQ(refusal_reasons(), std::vector<std::string>{"entitlement_malformed"});
  const auto refusal = audited("entitlement.refuse").at(0);
  EXPECT_EQ(refusal.at("source"), boost::json::value((folder() / "b-broken.jws").string()));
  const auto import = audited("entitlement.import").at(0);
  EXPECT_EQ(import.at("source"), boost::json::value((folder() / "a-contoso.jws").string()));
  EXPECT_EQ(import.at("result"), "created");

  // The code is shown nowhere else: it is beside the file, for lmpd's user alone.
  const fs::path code_file = folder() / "a-contoso.jws.code";
  struct stat st {};
  ASSERT_EQ(::stat(code_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string code = read(code_file);
  LineClient seat(server_->port());
  EXPECT_EQ(seat.request("CHECKOUT code=" + code).rfind("OK lease=", 0), 0u) << code;
  EXPECT_FALSE(fs::exists(folder() / "b-broken.jws.code"));

  // Another start changes nothing: the same file is unchanged, its code file is left alone.
  restart_site(kTestEpochMs);
  EXPECT_EQ(site_license_count(), 1);
  EXPECT_EQ(import_results(), (std::vector<std::string>{"created", "unchanged"}));
  EXPECT_EQ(read(code_file), code);
}

TEST_P(EntitlementFolderTest, AReloadImportsNewFilesAndNewerSerialsAndRefusesBadOnes) {
  const auto first = vendor_license(3);
  put("contoso-cad.jws", token(first));
  config_.entitlements.directory = folder().string();
  restart_site(kTestEpochMs);
  ASSERT_EQ(site_license_count(), 1);

  // The vendor renews and adds units (serial 2); a second license; a broken file beside them.
  vendor_ok("PUT", "/v1/licenses/" + std::to_string(first) + "/units", {{"units", 8}});
  put("contoso-cad.jws", token(first));
  const auto second = vendor_license(2);
  put("contoso-second.jws", token(second));
  put("garbled.jws", token(second).substr(0, 40));
  EXPECT_TRUE(server_->reload(config_).empty());

  EXPECT_EQ(site_license_count(), 2);
  EXPECT_EQ(units_held(), (std::vector<std::int64_t>{2, 8}));
  EXPECT_EQ(import_results(), (std::vector<std::string>{"created", "created", "replaced"}));
  EXPECT_EQ(refusal_reasons(), std::vector<std::string>{"entitlement_malformed"});
  EXPECT_TRUE(fs::exists(folder() / "contoso-second.jws.code"));

  // A file removed from the folder removes nothing: licenses come and change by entitlements.
  fs::remove(folder() / "contoso-cad.jws");
  fs::remove(folder() / "garbled.jws");
  EXPECT_TRUE(server_->reload(config_).empty());
  EXPECT_EQ(units_held(), (std::vector<std::int64_t>{2, 8}));
}

TEST_P(EntitlementFolderTest, AFolderThatCannotBeReadStopsNeitherStartNorReload) {
  config_.entitlements.directory = (dir_.path() / "missing").string();
  restart_site(kTestEpochMs);
  EXPECT_EQ(site_license_count(), 0);
  EXPECT_TRUE(server_->reload(config_).empty());
  // Once it is there, the next reload reads it.
  const auto license = vendor_license(1);
  fs::create_directories(dir_.path() / "missing");
  std::ofstream(dir_.path() / "missing" / "x.jws") << token(license);
  EXPECT_TRUE(server_->reload(config_).empty());
  EXPECT_EQ(site_license_count(), 1);
}

TEST_P(EntitlementFolderTest, ALicenseWhoseCodeCannotBeWrittenIsNotMade) {
  const auto license = vendor_license(1);
  put("contoso.jws", token(license));
  // A folder in the way of the code file: the import is undone, and logged.
  fs::create_directories(folder() / "contoso.jws.code");
  config_.entitlements.directory = folder().string();
  restart_site(kTestEpochMs);
  EXPECT_EQ(site_license_count(), 0);
  EXPECT_TRUE(audited("entitlement.import").empty());
  fs::remove(folder() / "contoso.jws.code");
  EXPECT_TRUE(server_->reload(config_).empty());
  EXPECT_EQ(site_license_count(), 1);
  EXPECT_EQ(read(folder() / "contoso.jws.code").size(), 23u);
}

// The setting is a site server's: on the vendor's server the config is refused where it is set.
TEST(EntitlementFolderConfig, RefusedWithoutVendorKeysWithItsPosition) {
  TempDir dir;
  const auto file = dir.path() / "lmpd.yaml";
  std::ofstream(file) << "storage:\n  sqlite:\n    path: x.db\nentitlements:\n  directory: in\n";
  const auto result = config::load_file(file.string());
  ASSERT_FALSE(result.errors.empty());
  std::ostringstream all;
  for (const auto& e : result.errors) all << e.to_string() << "\n";
  EXPECT_NE(all.str().find("lmpd.yaml:5:14"), std::string::npos) << all.str();
  EXPECT_NE(all.str().find("trust.vendor_keys"), std::string::npos) << all.str();
}

}  // namespace
}  // namespace lmp::test
