// The web console's files (console/ in the source tree), compiled into lmpd by CMake
// (cmake/EmbedConsole.cmake writes console_assets.cpp), so the build tree and the package serve
// the same bytes and nothing is fetched from elsewhere.
#pragma once

#include <span>
#include <string_view>

namespace lmp::http {

struct ConsoleAsset {
  std::string_view path;          // the URL path, e.g. "/console/app.js"
  std::string_view content_type;  // from the file's extension
  std::string_view etag;          // a quoted SHA-256 of the bytes
  std::string_view bytes;
};

// Every file, sorted by path.
std::span<const ConsoleAsset> console_assets();

}  // namespace lmp::http
