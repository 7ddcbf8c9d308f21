// The library's version string, set by the build from the project version.
#pragma once

#include <string>

namespace lmp::client {

inline const std::string& version() {
  static const std::string text = LMP_CLIENT_VERSION;
  return text;
}

}  // namespace lmp::client
