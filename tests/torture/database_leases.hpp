// Reads the leases that an lmpd database file holds, read-only and without lmpd's code, so that
// the torture tool checks what is on disk rather than what the daemon says about it. The lease
// ids are read back from their sealed form with the server secret beside the database, by the
// construction docs/reliability.md describes, written out here again over lmpd's AES-256-GCM and
// HMAC primitives (each checked against its standard's test vectors).
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

// Every row of the leases table, by lease id (unsealed with `<db>.secret`); throws
// std::runtime_error when the file or the secret cannot be read.
std::unordered_map<std::string, StoredLease> read_stored_leases(const std::filesystem::path& db);

}  // namespace lmp::torture
