// FamilyRegistry::load_directory over real plugin directories: broken plugins skipped with their
// reasons, one plugin per family, symlinks kept inside the directories; several folders.
#include "plugin/registry.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace lmp::plugin::test {
namespace {

namespace fs = std::filesystem;

std::string describe(const std::vector<LoadFailure>& failures) {
  std::string text;
  for (const auto& failure : failures) text += failure.to_string() + "\n";
  return text;
}

TEST(Registry, BrokenDirectoryLoadsNothingAndReportsEveryFile) {
  FamilyRegistry registry;
  RecordingHost host;
  std::vector<LoadFailure> failures;
  registry.load_directory(kBrokenDir, host, failures);
  EXPECT_TRUE(registry.names().empty());

  std::vector<std::string> expected;
  for (const auto& entry : fs::directory_iterator(kBrokenDir)) {
    if (entry.path().extension() == ".so") expected.push_back(entry.path().string());
  }
  std::sort(expected.begin(), expected.end());
  // Fourteen broken builds and the text file; anything less means a plugin was not built.
  ASSERT_EQ(expected.size(), 15U);
  std::vector<std::string> reported;
  for (const auto& failure : failures) reported.push_back(failure.path);
  EXPECT_EQ(reported, expected) << describe(failures);  // name order, one failure per file
}

TEST(Registry, LoadsTheRealPluginDirectory) {
  FamilyRegistry registry;
  RecordingHost host;
  std::vector<LoadFailure> failures;
  registry.load_directory(kPluginDir, host, failures);
  EXPECT_TRUE(failures.empty()) << describe(failures);
  const LoadedFamily* software = registry.find("software");
  ASSERT_NE(software, nullptr);
  EXPECT_EQ(software->version, "1.0.0");
  EXPECT_EQ(software->path, kSoftwarePlugin.string());
  EXPECT_EQ(registry.find("no_such_family"), nullptr);
}

TEST(Registry, LoadsTheThrowingPluginDirectory) {
  FamilyRegistry registry;
  RecordingHost host;
  std::vector<LoadFailure> failures;
  registry.load_directory(kThrowingDir, host, failures);
  EXPECT_TRUE(failures.empty()) << describe(failures);
  EXPECT_EQ(registry.names(), std::vector<std::string>{"throwing"});
}

TEST(Registry, SecondPluginOfTheSameFamilyIsRefused) {
  TempDir dir;
  fs::copy_file(kSoftwarePlugin, dir.path() / "a_first.so");
  fs::copy_file(kSoftwarePlugin, dir.path() / "b_second.so");
  FamilyRegistry registry;
  RecordingHost host;
  std::vector<LoadFailure> failures;
  registry.load_directory(dir.path(), host, failures);
  EXPECT_EQ(registry.names(), std::vector<std::string>{"software"});
  ASSERT_EQ(registry.find("software")->path, (dir.path() / "a_first.so").string());
  ASSERT_EQ(failures.size(), 1U) << describe(failures);
  EXPECT_EQ(failures[0].path, (dir.path() / "b_second.so").string());
  EXPECT_EQ(failures[0].reason,
            "family 'software' is already loaded from " + (dir.path() / "a_first.so").string());
}

// A reload loads the folder again: only files added since load, and the families loaded before
// keep their instances (a file is never loaded twice, nor refused as a second of its family).
TEST(Registry, LoadingAgainTakesOnlyTheFilesAddedSince) {
  TempDir dir;
  fs::copy_file(kSoftwarePlugin, dir.path() / "lmp_family_software.so");
  FamilyRegistry registry;
  RecordingHost host;
  std::vector<LoadFailure> failures;
  registry.load_directory(dir.path(), host, failures);
  ASSERT_EQ(registry.names(), std::vector<std::string>{"software"}) << describe(failures);
  const auto software = registry.find("software")->family;

  fs::copy_file(kPluginDir / "lmp_family_saas.so", dir.path() / "lmp_family_saas.so");
  registry.load_directory(dir.path(), host, failures);
  EXPECT_TRUE(failures.empty()) << describe(failures);
  EXPECT_EQ(registry.names(), (std::vector<std::string>{"saas", "software"}));
  EXPECT_EQ(registry.find("software")->family, software);
  EXPECT_EQ(registry.find("saas")->path, (dir.path() / "lmp_family_saas.so").string());
}

TEST(Registry, SymlinkOutsideTheDirectoryIsRefused) {
  TempDir dir;
  fs::create_symlink(kSoftwarePlugin, dir.path() / "outside.so");
  FamilyRegistry registry;
  RecordingHost host;
  std::vector<LoadFailure> failures;
  registry.load_directory(dir.path(), host, failures);
  EXPECT_TRUE(registry.names().empty());
  ASSERT_EQ(failures.size(), 1U) << describe(failures);
  EXPECT_EQ(failures[0].path, (dir.path() / "outside.so").string());
  EXPECT_EQ(failures[0].reason, "symlink resolves outside the plugin directories, to " +
                                    fs::canonical(kSoftwarePlugin).string());
}

TEST(Registry, SymlinkWithinTheDirectoryLoadsAndOtherNamesAreIgnored) {
  TempDir dir;
  fs::copy_file(kSoftwarePlugin, dir.path() / "lmp_family_software.so.1.0.0");
  fs::create_symlink("lmp_family_software.so.1.0.0", dir.path() / "lmp_family_software.so");
  std::ofstream(dir.path() / "README") << "not a plugin\n";
  FamilyRegistry registry;
  RecordingHost host;
  std::vector<LoadFailure> failures;
  registry.load_directory(dir.path(), host, failures);
  EXPECT_TRUE(failures.empty()) << describe(failures);
  EXPECT_EQ(registry.names(), std::vector<std::string>{"software"});
}

// A third party's folder next to the packaged one (plugins.directories): both load, a link from
// one listed folder into another is allowed, a family in both is loaded from the first.
TEST(Registry, SeveralFoldersLoadInOrderAndLinksMayPointBetweenThem) {
  TempDir packaged;
  TempDir third_party;
  TempDir elsewhere;
  fs::copy_file(kSoftwarePlugin, packaged.path() / "lmp_family_software.so");
  fs::copy_file(kPluginDir / "lmp_family_saas.so", third_party.path() / "saas.so.2");
  // A vendor's folder holds the real file, the packaged folder links to it.
  fs::create_symlink(third_party.path() / "saas.so.2", packaged.path() / "lmp_family_saas.so");
  // The same family again in the second folder: refused, the first folder's copy wins.
  fs::copy_file(kSoftwarePlugin, third_party.path() / "software_copy.so");
  // And a link out of every listed folder: refused.
  fs::copy_file(kPluginDir / "lmp_family_suite.so", elsewhere.path() / "suite.so");
  fs::create_symlink(elsewhere.path() / "suite.so", third_party.path() / "suite.so");

  FamilyRegistry registry;
  RecordingHost host;
  std::vector<LoadFailure> failures;
  registry.load_directories({packaged.path(), third_party.path()}, host, failures);
  EXPECT_EQ(registry.names(), (std::vector<std::string>{"saas", "software"})) << describe(failures);
  EXPECT_EQ(registry.find("software")->path, (packaged.path() / "lmp_family_software.so").string());
  ASSERT_EQ(failures.size(), 2U) << describe(failures);
  EXPECT_EQ(failures[0].path, (third_party.path() / "software_copy.so").string());
  EXPECT_EQ(failures[0].reason, "family 'software' is already loaded from " +
                                    (packaged.path() / "lmp_family_software.so").string());
  EXPECT_EQ(failures[1].path, (third_party.path() / "suite.so").string());
  EXPECT_EQ(failures[1].reason, "symlink resolves outside the plugin directories, to " +
                                    fs::canonical(elsewhere.path() / "suite.so").string());
}

// One folder missing does not keep the others from loading.
TEST(Registry, AMissingFolderAmongSeveralIsOneFailure) {
  TempDir dir;
  fs::copy_file(kSoftwarePlugin, dir.path() / "lmp_family_software.so");
  FamilyRegistry registry;
  RecordingHost host;
  std::vector<LoadFailure> failures;
  registry.load_directories({dir.path() / "missing", dir.path()}, host, failures);
  EXPECT_EQ(registry.names(), std::vector<std::string>{"software"});
  ASSERT_EQ(failures.size(), 1U) << describe(failures);
  EXPECT_EQ(failures[0].reason, "plugin directory does not exist");
}

TEST(Registry, DanglingSymlinkAndSubdirectoryAreRefused) {
  TempDir dir;
  fs::create_symlink(dir.path() / "gone.so.1", dir.path() / "dangling.so");
  fs::create_directory(dir.path() / "subdir.so");
  fs::create_directory(dir.path() / "nested");
  fs::copy_file(kSoftwarePlugin, dir.path() / "nested" / "lmp_family_software.so");
  FamilyRegistry registry;
  RecordingHost host;
  std::vector<LoadFailure> failures;
  registry.load_directory(dir.path(), host, failures);
  // Not recursive: the plugin in nested/ is neither loaded nor reported.
  EXPECT_TRUE(registry.names().empty());
  ASSERT_EQ(failures.size(), 2U) << describe(failures);
  EXPECT_EQ(failures[0].path, (dir.path() / "dangling.so").string());
  EXPECT_EQ(failures[0].reason.rfind("cannot resolve symlink: ", 0), 0U) << failures[0].reason;
  EXPECT_EQ(failures[1].path, (dir.path() / "subdir.so").string());
  EXPECT_EQ(failures[1].reason, "not a regular file");
}

TEST(Registry, MissingDirectoryIsOneFailure) {
  TempDir dir;
  const auto missing = dir.path() / "no_plugins_here";
  FamilyRegistry registry;
  RecordingHost host;
  std::vector<LoadFailure> failures;
  registry.load_directory(missing, host, failures);
  ASSERT_EQ(failures.size(), 1U);
  EXPECT_EQ(failures[0].to_string(),
            "plugin " + missing.string() + ": plugin directory does not exist");
  EXPECT_TRUE(registry.names().empty());
}

TEST(Registry, FileGivenAsDirectoryIsOneFailure) {
  FamilyRegistry registry;
  RecordingHost host;
  std::vector<LoadFailure> failures;
  registry.load_directory(kSoftwarePlugin, host, failures);
  ASSERT_EQ(failures.size(), 1U);
  EXPECT_EQ(failures[0].path, kSoftwarePlugin.string());
  EXPECT_EQ(failures[0].reason, "plugin directory is not a directory");
}

TEST(Registry, FailuresAreAppended) {
  FamilyRegistry registry;
  RecordingHost host;
  std::vector<LoadFailure> failures{{"earlier", "kept"}};
  registry.load_directory(kBrokenDir / "missing", host, failures);
  ASSERT_EQ(failures.size(), 2U);
  EXPECT_EQ(failures[0].path, "earlier");
}

TEST(Registry, AddFindAndNames) {
  RecordingHost host;
  auto loaded = load_family_plugin(kSoftwarePlugin, host);
  ASSERT_TRUE(std::holds_alternative<LoadedFamily>(loaded)) << refusal(loaded);
  const auto family = std::get<LoadedFamily>(loaded).family;

  FamilyRegistry registry;
  registry.add({"zeta", "2.0.0", "zeta.so", family});
  registry.add({"alpha", "1.0.0", "alpha.so", family});
  EXPECT_EQ(registry.names(), (std::vector<std::string>{"alpha", "zeta"}));
  ASSERT_NE(registry.find("zeta"), nullptr);
  EXPECT_EQ(registry.find("zeta")->version, "2.0.0");
  EXPECT_EQ(registry.find("zeta")->family, family);
  EXPECT_EQ(registry.find("beta"), nullptr);

  registry.add({"zeta", "3.0.0", "zeta3.so", family});
  EXPECT_EQ(registry.find("zeta")->version, "3.0.0");
  EXPECT_EQ(registry.names().size(), 2U);
}

}  // namespace
}  // namespace lmp::plugin::test
