// load_family_plugin against real builds: every deliberately broken plugin is refused with its
// own reason, and the real `software` plugin loads and stays usable.
#include "plugin/loader.hpp"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "test_support.hpp"

namespace lmp::plugin::test {
namespace {

const std::string kDaemonAbi =
    std::to_string(sdk::kAbiMajor) + "." + std::to_string(sdk::kAbiMinor);
constexpr std::size_t kFullDescriptor = sizeof(sdk::PluginDescriptor);

struct BrokenCase {
  const char* plugin;
  std::string reason;
};

class BrokenPluginTest : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(BrokenPluginTest, RefusedWithItsReason) {
  const auto file = broken_plugin(GetParam().plugin);
  ASSERT_TRUE(std::filesystem::is_regular_file(file)) << file;
  RecordingHost host;
  const auto result = load_family_plugin(file, host);
  ASSERT_TRUE(std::holds_alternative<LoadFailure>(result)) << file;
  const auto& failure = std::get<LoadFailure>(result);
  EXPECT_EQ(failure.reason, GetParam().reason);
  EXPECT_EQ(failure.path, file.string());
  EXPECT_EQ(failure.to_string(), "plugin " + file.string() + ": " + GetParam().reason);
  EXPECT_TRUE(host.records.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Loader, BrokenPluginTest,
    ::testing::Values(
        BrokenCase{"no_descriptor", "no lmp_plugin_descriptor symbol: not an lmpd plugin"},
        BrokenCase{"abi_major", "ABI major " + std::to_string(sdk::kAbiMajor + 1) +
                                    " not supported (daemon speaks " + kDaemonAbi + ")"},
        BrokenCase{"abi_minor", "built for ABI " + std::to_string(sdk::kAbiMajor) + "." +
                                    std::to_string(sdk::kAbiMinor + 1) +
                                    ", newer than the daemon's " + kDaemonAbi},
        BrokenCase{"struct_size", "descriptor struct_size " +
                                      std::to_string(offsetof(sdk::PluginDescriptor, version)) +
                                      " is smaller than ABI 1.0's " +
                                      std::to_string(kFullDescriptor) + " bytes"},
        BrokenCase{"truncated_descriptor",
                   "descriptor claims " + std::to_string(kFullDescriptor) +
                       " bytes but its symbol holds " +
                       std::to_string(offsetof(sdk::PluginDescriptor, family))},
        BrokenCase{"toolchain", std::string("standard library ABI 'msvc-stl' (toolchain "
                                            "'msvc/msvc-stl') differs from the daemon's '") +
                                    LMP_SDK_STDLIB + "'"},
        BrokenCase{"empty_family", "empty family name"},
        BrokenCase{"invalid_family",
                   "invalid family name 'Bad Family!': use lowercase letters, digits and '_', "
                   "starting with a letter"},
        BrokenCase{"unterminated_family", "family name is not NUL-terminated"},
        BrokenCase{"no_create", "no lmp_plugin_create symbol"},
        BrokenCase{"no_destroy", "no lmp_plugin_destroy symbol"},
        BrokenCase{"factory_throws", "factory threw: boom in factory"},
        BrokenCase{"factory_null", "factory returned no family"}),
    [](const ::testing::TestParamInfo<BrokenCase>& info) {
      return std::string(info.param.plugin);
    });

TEST(Loader, RefusesTextFileNamedLikeAPlugin) {
  const auto file = kBrokenDir / "not_elf.so";
  RecordingHost host;
  const auto result = load_family_plugin(file, host);
  EXPECT_EQ(refusal(result), "not a shared library: Unsupported binary format");
  ASSERT_TRUE(std::holds_alternative<LoadFailure>(result));
  EXPECT_EQ(std::get<LoadFailure>(result).to_string(),
            "plugin " + file.string() + ": not a shared library: Unsupported binary format");
}

TEST(Loader, RefusesTruncatedElfFile) {
  TempDir dir;
  const auto file = dir.path() / "truncated.so";
  std::filesystem::copy_file(kSoftwarePlugin, file);
  std::filesystem::resize_file(file, 64);
  RecordingHost host;
  EXPECT_EQ(refusal(load_family_plugin(file, host)).rfind("not a shared library: ", 0), 0U)
      << refusal(load_family_plugin(file, host));
}

TEST(Loader, LoadsWithRtldNowSoUnresolvedSymbolsFailAtLoad) {
  const auto file = broken_plugin("unresolved_symbol");
  RecordingHost host;
  const std::string reason = refusal(load_family_plugin(file, host));
  EXPECT_EQ(reason.rfind("cannot load: ", 0), 0U) << reason;
  EXPECT_NE(reason.find("undefined symbol: lmp_test_missing_function"), std::string::npos)
      << reason;
}

TEST(Loader, RefusesMissingFile) {
  RecordingHost host;
  const auto file = kBrokenDir / "does_not_exist.so";
  const auto result = load_family_plugin(file, host);
  EXPECT_EQ(refusal(result), "file does not exist");
  ASSERT_TRUE(std::holds_alternative<LoadFailure>(result));
  EXPECT_EQ(std::get<LoadFailure>(result).to_string(),
            "plugin " + file.string() + ": file does not exist");
}

TEST(Loader, RefusesDirectory) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "dir.so");
  RecordingHost host;
  EXPECT_EQ(refusal(load_family_plugin(dir.path() / "dir.so", host)), "not a regular file");
}

TEST(Loader, LoadsSoftwarePlugin) {
  RecordingHost host;
  auto result = load_family_plugin(kSoftwarePlugin, host);
  ASSERT_TRUE(std::holds_alternative<LoadedFamily>(result)) << refusal(result);
  const auto& loaded = std::get<LoadedFamily>(result);
  EXPECT_EQ(loaded.name, "software");
  EXPECT_EQ(loaded.version, "1.0.0");
  EXPECT_EQ(loaded.path, kSoftwarePlugin.string());
  ASSERT_NE(loaded.family, nullptr);
  sdk::ProductInfo product;
  product.unit = sdk::UnitType::endpoints;
  EXPECT_EQ(loaded.family->check_product(product), "");
}

TEST(Loader, PluginSymbolsStayOutOfTheGlobalNamespace) {
  RecordingHost host;
  auto result = load_family_plugin(kSoftwarePlugin, host);
  ASSERT_TRUE(std::holds_alternative<LoadedFamily>(result)) << refusal(result);
  // RTLD_LOCAL: a second plugin's lmp_plugin_create can never bind to the first one's.
  EXPECT_EQ(::dlsym(RTLD_DEFAULT, sdk::kDescriptorSymbol), nullptr);
  EXPECT_EQ(::dlsym(RTLD_DEFAULT, sdk::kCreateSymbol), nullptr);
}

TEST(Loader, FamilyKeepsItsLibraryLoaded) {
  TempDir dir;
  // A private copy, so no other test's handle keeps this file's mapping alive.
  const auto file = dir.path() / "kept.so";
  std::filesystem::copy_file(kSoftwarePlugin, file);
  RecordingHost host;
  std::shared_ptr<sdk::Family> family;
  {
    auto result = load_family_plugin(file, host);
    ASSERT_TRUE(std::holds_alternative<LoadedFamily>(result)) << refusal(result);
    family = std::get<LoadedFamily>(result).family;
  }
  void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_NOLOAD);
  EXPECT_NE(handle, nullptr) << "library unloaded while its family is alive";
  if (handle != nullptr) ::dlclose(handle);
  // Calls into the plugin's code after every loader-side handle is gone.
  sdk::ProductInfo product;
  product.unit = sdk::UnitType::users;
  EXPECT_EQ(family->check_product(product),
            "family software counts seats, endpoints or encryption_keys, not users");
}

TEST(Loader, ThrowingPluginLoadsAndItsCallsThrow) {
  RecordingHost host;
  auto result = load_family_plugin(kThrowingDir / "lmp_family_throwing.so", host);
  ASSERT_TRUE(std::holds_alternative<LoadedFamily>(result)) << refusal(result);
  const auto& loaded = std::get<LoadedFamily>(result);
  EXPECT_EQ(loaded.name, "throwing");
  sdk::ProductInfo product;
  EXPECT_EQ(loaded.family->check_product(product), "");
  sdk::HolderRequest request;
  EXPECT_THROW(loaded.family->identify_holder(product, request), std::runtime_error);
  sdk::CheckoutContext context;
  context.product = &product;
  EXPECT_THROW(loaded.family->decide_checkout(context), std::runtime_error);
}

}  // namespace
}  // namespace lmp::plugin::test
