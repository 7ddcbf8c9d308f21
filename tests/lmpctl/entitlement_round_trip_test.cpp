// Entitlements end to end with two real lmpd processes and the real tools: the vendor's lmpd
// makes a license (`lmpd admin create-license`), `lmpctl licenses export` writes the file, the
// site's lmpd (trusting the vendor's key from its GET /v1/keys) imports it with `lmpd admin
// import`, and a seat is checked out of it on the site; then a renewal by a newer serial.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>

#include "../admin_api/admin_fixture.hpp"
#include "support/daemon_process.hpp"
#include "support/line_client.hpp"
#include "support/lmpd_instance.hpp"

namespace lmp::test {
namespace {

namespace json = boost::json;

std::uint16_t port_of(const std::string& url) {
  return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

CommandResult lmpd_admin(const std::filesystem::path& dir, std::vector<std::string> args) {
  args.insert(args.begin(),
              {LMP_TEST_LMPD_BINARY, "admin", "--config", (dir / "lmpd.yaml").string()});
  return run_command(args);
}

std::string after(const std::string& text, const std::string& marker) {
  const auto at = text.find(marker);
  if (at == std::string::npos) return "";
  return text.substr(at + marker.size(), text.find('\n', at) - at - marker.size());
}

TEST(EntitlementRoundTrip, VendorToFileToSiteWithTwoRealServers) {
  TempDir vendor_dir, site_dir;
  LmpdInstance vendor(vendor_dir.path());
  vendor.start();
  const auto init = lmpd_admin(vendor_dir.path(), {"init", "--name", "Vendor"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  const std::string token = after(init.out, "API token: ");
  vendor.create_license(2);  // license 1, customer acme
  auto keys = admin_call(port_of(vendor.http_url()), "", "GET", "/v1/keys").json();
  const std::string jwk = json::serialize(keys.at("keys").at(0));

  LmpdInstance site(site_dir.path(), "", "trust:\n  vendor_keys:\n    - '" + jwk + "'\n");
  site.start();
  const auto site_id = lmpd_admin(site_dir.path(), {"site-id"});
  ASSERT_EQ(site_id.exit_code, 0) << site_id.err;
  const std::string id = site_id.out.substr(0, site_id.out.find('\n'));
  ASSERT_EQ(id.rfind("site-", 0), 0u) << site_id.out;

  auto export_to = [&](const std::filesystem::path& file) {
    const auto r = run_command({LMPCTL_BINARY, "--server", vendor.http_url(), "--token", token,
                                "licenses", "export", "1", "--site", id},
                               {"LMPCTL_SERVER", "LMPCTL_TOKEN", "HOME"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // The entitlement's text alone, on one line.
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '.'), 2) << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    EXPECT_EQ(r.out.rfind("eyJ", 0), 0u) << r.out;
    std::ofstream(file) << r.out;
  };
  const auto file = site_dir.path() / "acme.jws";
  export_to(file);
  auto imported = lmpd_admin(site_dir.path(), {"import", file.string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.err << read_file(file);
  EXPECT_NE(imported.out.find("created from the vendor's license 1 (serial 1)"), std::string::npos)
      << imported.out;
  const std::string code = after(imported.out, "activation code: ");
  ASSERT_EQ(code.size(), 23u) << imported.out;
  // The running site serves it at once.
  EXPECT_EQ(site.units_in_use(code), 0);
  LineClient seat(site.port());
  EXPECT_EQ(seat.request("CHECKOUT code=" + code + " units=2").rfind("OK lease=", 0), 0u);

  // A renewal with more units: serial 2 replaces the terms, the same code checks out more.
  const auto renewed = run_command({LMPCTL_BINARY, "--server", vendor.http_url(), "--token", token,
                                    "licenses", "set-units", "1", "5"},
                                   {"LMPCTL_SERVER", "LMPCTL_TOKEN", "HOME"});
  ASSERT_EQ(renewed.exit_code, 0) << renewed.err;
  const auto file2 = site_dir.path() / "acme-2.jws";
  export_to(file2);
  imported = lmpd_admin(site_dir.path(), {"import", file2.string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_NE(imported.out.find("replaced from the vendor's license 1 (serial 2)"), std::string::npos)
      << imported.out;
  EXPECT_EQ(seat.request("CHECKOUT code=" + code + " units=3").rfind("OK lease=", 0), 0u);
  // The first file is now older: refused with its reason, nothing changed.
  imported = lmpd_admin(site_dir.path(), {"import", file.string()});
  EXPECT_EQ(imported.exit_code, 1);
  EXPECT_NE(imported.err.find("(entitlement_not_newer)"), std::string::npos) << imported.err;
  EXPECT_EQ(site.units_in_use(code), 5);
}

}  // namespace
}  // namespace lmp::test
