// The files of a borrowed lease: the token file the caller names and, beside it, the cached key
// set (TOKEN.keys) and the clock guard (TOKEN.clock); written atomically, readable by the owner
// alone.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace lmp::client {

std::string keys_cache_path(const std::string& token_path);
std::string clock_guard_path(const std::string& token_path);

// The file's bytes; nullopt when it does not exist. A file larger than `limit` gives its first
// limit + 1 bytes (so the caller can tell). Throws ClientError(LMP_ERR_INVALID_ARGUMENT) naming
// the file when it exists but cannot be read.
std::optional<std::string> read_file_bounded(const std::string& path, std::size_t limit);

// Replaces the file with `content` through a temporary file in the same folder, fsync and
// rename, so a crash leaves the old file or the new one, never a torn one. Mode 0600. Throws
// ClientError(LMP_ERR_INVALID_ARGUMENT) naming the file.
void write_file_atomically(const std::string& path, std::string_view content);

// Removes the file; true when it existed. Throws ClientError(LMP_ERR_INVALID_ARGUMENT) when it
// exists and cannot be removed.
bool remove_file(const std::string& path);

}  // namespace lmp::client
