// Shared pieces of the plugin loader tests: where the built plugins are, a self-cleaning
// temporary directory, and a Host that records what plugins do with it.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lmp/sdk/family.hpp"
#include "plugin/loader.hpp"

namespace lmp::plugin::test {

inline const std::filesystem::path kPluginDir = LMP_TEST_PLUGIN_DIR;
inline const std::filesystem::path kBrokenDir = LMP_TEST_BROKEN_PLUGIN_DIR;
inline const std::filesystem::path kThrowingDir = LMP_TEST_THROWING_PLUGIN_DIR;
inline const std::filesystem::path kSoftwarePlugin = kPluginDir / "lmp_family_software.so";

inline std::filesystem::path broken_plugin(std::string_view name) {
  return kBrokenDir / ("lmp_broken_" + std::string(name) + ".so");
}

// A fresh directory, removed with everything in it when the object goes away. The process id
// keeps parallel test processes apart.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("lmp_plugin_loader_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct LogRecord {
  sdk::LogLevel level;
  std::string event;
  std::string message;
};

class RecordingHost final : public sdk::Host {
 public:
  void log(sdk::LogLevel level, std::string_view event, std::string_view message) override {
    records.push_back({level, std::string(event), std::string(message)});
  }
  std::int64_t now_unix_ms() override { return 1'700'000'000'000; }
  std::vector<LogRecord> records;
};

// The reason a load was refused, or "(loaded)" so a wrong success reads clearly in a failure.
inline std::string refusal(const std::variant<LoadedFamily, LoadFailure>& result) {
  if (const auto* failure = std::get_if<LoadFailure>(&result)) return failure->reason;
  return "(loaded)";
}

}  // namespace lmp::plugin::test
