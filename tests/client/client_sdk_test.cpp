// The installed client SDK: the client and sdk components installed into a scratch folder,
// the C example (client/examples/hold_seat.c) compiled as C99 and the C++ one (hold_seat.cpp, on
// the RAII header lmp/client/client.hpp) as C++17 with pkg-config's flags, and both built by an
// outside CMake project with find_package(lmp-client); each build holds a seat of a real lmpd
// while it works and returns it.
#include <gtest/gtest.h>

#include <algorithm>
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
const std::string kCxxExample = std::string(LMP_SOURCE_DIR) + "/client/examples/hold_seat.cpp";
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

  // pkg-config's flags for the staged install.
  std::vector<std::string> pkg_config_flags() {
    auto flags = run_command(
        {"/usr/bin/env", "PKG_CONFIG_PATH=" + (prefix_ / LMP_INSTALL_LIBDIR / "pkgconfig").string(),
         "pkg-config", "--cflags", "--libs", "lmp-client"});
    EXPECT_EQ(flags.exit_code, 0) << flags.err;
    return words(flags.out);
  }
  // `source` compiled strictly (warnings are errors) with pkg-config's flags; the binary.
  std::filesystem::path build_with_pkg_config(const std::string& compiler,
                                              const std::string& standard,
                                              const std::string& source, const std::string& name) {
    auto binary = dir_.path() / name;
    std::vector<std::string> compile = {"/usr/bin/env", "-u",      "LIBRARY_PATH",
                                        compiler,       standard,  "-Wall",
                                        "-Wextra",      "-Werror", "-pedantic"};
    if (!kSanitize.empty()) compile.push_back(kSanitize);
    compile.insert(compile.end(), {source, "-o", binary.string()});
    for (const auto& w : pkg_config_flags()) compile.push_back(w);
    auto built = run_command(compile);
    EXPECT_EQ(built.exit_code, 0) << built.err;
    return binary;
  }

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
  const auto flags = pkg_config_flags();
  EXPECT_TRUE(std::any_of(flags.begin(), flags.end(),
                          [](const std::string& w) { return w.rfind("-L", 0) == 0; }));
  run_example(build_with_pkg_config(LMP_C_COMPILER, "-std=c99", kExample, "hold_seat_pkgconfig"));
}

// The C++ header is installed beside the C one and needs nothing but the library: the example
// holds its seat in a Lease that checks in when it goes out of scope.
TEST_F(ClientSdkTest, TheCppExampleBuildsWithPkgConfigAsCpp17AndChecksInByScope) {
  EXPECT_TRUE(std::filesystem::exists(prefix_ / "include/lmp/client/client.hpp"));
  run_example(build_with_pkg_config(LMP_CXX_COMPILER, "-std=c++17", kCxxExample,
                                    "hold_seat_cpp_pkgconfig"));
}

TEST_F(ClientSdkTest, TheExampleBuildsWithTheCMakePackageAndHoldsASeat) {
  auto build = dir_.path() / "consumer";
  auto configured = run_command(
      {LMP_CMAKE_COMMAND, "-S", std::string(LMP_SOURCE_DIR) + "/tests/client/cmake_consumer", "-B",
       build.string(), "-DCMAKE_PREFIX_PATH=" + prefix_.string(),
       "-DLMP_EXAMPLE_SOURCE=" + kExample, "-DLMP_CXX_EXAMPLE_SOURCE=" + kCxxExample,
       "-DCMAKE_C_FLAGS=" + kSanitize, "-DCMAKE_CXX_FLAGS=" + kSanitize});
  ASSERT_EQ(configured.exit_code, 0) << configured.out << configured.err;
  auto built = run_command({LMP_CMAKE_COMMAND, "--build", build.string()});
  ASSERT_EQ(built.exit_code, 0) << built.out << built.err;
  run_example(build / "hold_seat");
  run_example(build / "hold_seat_cpp");
}

}  // namespace
}  // namespace lmp::test
