// The installed client SDK: the client and sdk components installed into a scratch folder,
// the C example (client/examples/hold_seat.c) compiled as C99 with pkg-config's flags and built
// by an outside CMake project with find_package(lmp-client); each build holds a seat of a real
// lmpd while it works and returns it.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/child_process.hpp"
#include "support/lmpd_instance.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

const std::string kExample = std::string(LMP_SOURCE_DIR) + "/client/examples/hold_seat.c";
// A library built with sanitizers needs their runtime in the program that loads it: the example
// is then built with the same -fsanitize flags (empty in a normal build).
const std::string kSanitize =
    std::string(LMP_TEST_SANITIZE).empty() ? "" : "-fsanitize=" + std::string(LMP_TEST_SANITIZE);

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

class ClientSdkTest : public ::testing::Test {
 protected:
  ClientSdkTest() : lmpd_(dir_.path()) {}

  void SetUp() override {
    stage_ = dir_.path() / "stage";
    for (const char* component : {"client", "sdk"}) {
      auto r = run_command({"/usr/bin/env", "DESTDIR=" + stage_.string(), LMP_CMAKE_COMMAND,
                            "--install", LMP_BUILD_DIR, "--component", component});
      ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    }
    prefix_ = stage_ / std::filesystem::path(LMP_INSTALL_PREFIX).relative_path();
    code_ = lmpd_.create_license(1);
    lmpd_.start();
  }

  int used() const { return lmpd_.units_in_use(code_); }

  // Runs the built example for 2 s of "work": the seat is held meanwhile and returned after.
  void run_example(const std::filesystem::path& binary) {
    auto out = dir_.path() / (binary.filename().string() + ".out");
    ChildProcess example({binary.string(), lmpd_.address(), code_, "2"}, out,
                         dir_.path() / "example.err",
                         {"LD_LIBRARY_PATH=" + (prefix_ / LMP_INSTALL_LIBDIR).string()});
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (read_file(out).find("holding a seat") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(used(), 1) << read_file(dir_.path() / "example.err");
    auto status = example.wait(std::chrono::seconds(20));
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(*status, 0) << read_file(dir_.path() / "example.err");
    EXPECT_NE(read_file(out).find("seat returned: ok"), std::string::npos) << read_file(out);
    EXPECT_EQ(used(), 0);
  }

  TempDir dir_;
  LmpdInstance lmpd_;
  std::filesystem::path stage_;
  std::filesystem::path prefix_;
  std::string code_;
};

TEST_F(ClientSdkTest, TheExampleBuildsWithPkgConfigAsC99AndHoldsASeat) {
  // Outside /usr (here, the staged install), pkg-config's flags alone find the library: once the
  // .pc named no lib folder and linking failed there.
  auto flags = run_command(
      {"/usr/bin/env", "PKG_CONFIG_PATH=" + (prefix_ / LMP_INSTALL_LIBDIR / "pkgconfig").string(),
       "pkg-config", "--cflags", "--libs", "lmp-client"});
  ASSERT_EQ(flags.exit_code, 0) << flags.err;
  EXPECT_NE(flags.out.find("-L"), std::string::npos) << flags.out;
  auto binary = dir_.path() / "hold_seat_pkgconfig";
  std::vector<std::string> compile = {"/usr/bin/env", "-u", "LIBRARY_PATH", LMP_C_COMPILER};
  for (const char* option : {"-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"})
    compile.push_back(option);
  if (!kSanitize.empty()) compile.push_back(kSanitize);
  compile.insert(compile.end(), {kExample, "-o", binary.string()});
  for (const auto& w : words(flags.out)) compile.push_back(w);
  auto built = run_command(compile);
  ASSERT_EQ(built.exit_code, 0) << flags.out << "\n" << built.err;
  run_example(binary);
}

TEST_F(ClientSdkTest, TheExampleBuildsWithTheCMakePackageAndHoldsASeat) {
  auto build = dir_.path() / "consumer";
  auto configured = run_command(
      {LMP_CMAKE_COMMAND, "-S", std::string(LMP_SOURCE_DIR) + "/tests/client/cmake_consumer", "-B",
       build.string(), "-DCMAKE_PREFIX_PATH=" + prefix_.string(),
       "-DLMP_EXAMPLE_SOURCE=" + kExample, "-DCMAKE_C_FLAGS=" + kSanitize});
  ASSERT_EQ(configured.exit_code, 0) << configured.out << configured.err;
  auto built = run_command({LMP_CMAKE_COMMAND, "--build", build.string()});
  ASSERT_EQ(built.exit_code, 0) << built.out << built.err;
  run_example(build / "hold_seat");
}

}  // namespace
}  // namespace lmp::test
