// Reads the leases that an lmpd database file holds, read-only and without lmpd's code, so that
// the torture tool checks what is on disk rather than what the daemon says about it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>

namespace lmp::torture {

struct StoredLease {
  std::int64_t license_id = 0;
  std::int64_t units = 0;
  std::int64_t expires_at_ms = 0;
};

// Every row of the leases table, by lease id; throws std::runtime_error when the file cannot be
// read.
std::unordered_map<std::string, StoredLease> read_stored_leases(const std::filesystem::path& db);

}  // namespace lmp::torture
