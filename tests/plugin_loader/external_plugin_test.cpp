// A plugin built outside the tree against the installed SDK package loads like lmpd's own. The
// sdk_package CTest test builds that plugin and runs this suite with LMP_EXTERNAL_PLUGIN set.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/dll/library_info.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "plugin/loader.hpp"
#include "test_support.hpp"

namespace lmp::plugin::test {
namespace {

TEST(ExternalPlugin, LoadsPluginBuiltAgainstTheInstalledSdk) {
  const char* env = std::getenv("LMP_EXTERNAL_PLUGIN");
  if (env == nullptr) GTEST_SKIP() << "needs the plugin the sdk_package test builds";
  const std::filesystem::path file = env;
  EXPECT_EQ(file.filename(), "lmp_family_consumer.so");  // the helper drops the "lib" prefix

  RecordingHost host;
  auto result = load_family_plugin(file, host);
  ASSERT_TRUE(std::holds_alternative<LoadedFamily>(result)) << refusal(result);
  const auto& loaded = std::get<LoadedFamily>(result);
  EXPECT_EQ(loaded.name, "consumer");
  EXPECT_EQ(loaded.version, "0.1.0");
  // Built by the compiler the test names, whatever the daemon's: only the standard library counts.
  if (const char* compiler = std::getenv("LMP_EXTERNAL_PLUGIN_COMPILER"); compiler && *compiler) {
    EXPECT_EQ(loaded.toolchain, std::string(compiler) + "/" + LMP_SDK_STDLIB);
  }

  sdk::ProductInfo product;
  sdk::CheckoutContext context;
  context.product = &product;
  context.license_units = 1;
  context.units_requested = 1;
  EXPECT_EQ(loaded.family->decide_checkout(context).verdict, sdk::CheckoutDecision::Verdict::grant);
  ASSERT_EQ(host.records.size(), 1U);
  EXPECT_EQ(host.records[0].event, "consumer_decided");

  // Hidden visibility: the family class's vtable and typeinfo are not exported.
  boost::dll::library_info info(file);
  const auto symbols = info.symbols();
  EXPECT_NE(std::find(symbols.begin(), symbols.end(), "lmp_plugin_create"), symbols.end());
  for (const auto& symbol : symbols) {
    EXPECT_EQ(symbol.find("ConsumerFamily"), std::string::npos) << symbol;
  }
}

}  // namespace
}  // namespace lmp::plugin::test
