// The leases table read through the SQLite C API with a read-only connection.
#include "database_leases.hpp"

#include <sqlite3.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>

#include "core/aes256_gcm.hpp"
#include "core/hex.hpp"
#include "core/hmac_sha256.hpp"

namespace lmp::torture {
namespace {

// The key that seals lease ids: HMAC-SHA256(secret, "lease-seal-key").
std::string seal_key(const std::string& secret) {
  const auto digest = HmacSha256(secret).digest({"lease-seal-key"});
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

// The id of a lease from its row: sealed_id is hex of a 12-byte nonce and AES-256-GCM of the id
// under the seal key, with the row key as associated data.
std::string unseal(const std::string& key, const std::string& row_key, const std::string& sealed) {
  const std::optional<std::string> bytes = from_hex(sealed);
  if (!bytes || bytes->size() < kAes256GcmNonceSize)
    throw std::runtime_error("a sealed lease id is not hex of a nonce");
  const std::optional<std::string> id = aes256_gcm_open(
      key, bytes->substr(0, kAes256GcmNonceSize), row_key, bytes->substr(kAes256GcmNonceSize));
  if (!id) throw std::runtime_error("a sealed lease id does not open under its row key");
  return *id;
}

std::string read_secret(const std::filesystem::path& db) {
  const std::filesystem::path path = db.string() + ".secret";
  std::ifstream in(path, std::ios::binary);
  std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (secret.size() != 32)
    throw std::runtime_error("cannot read the server secret " + path.string());
  return secret;
}

}  // namespace

std::unordered_map<std::string, StoredLease> read_stored_leases(const std::filesystem::path& db) {
  sqlite3* raw = nullptr;
  const int opened = ::sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, decltype(&::sqlite3_close)> connection(raw, &::sqlite3_close);
  if (opened != SQLITE_OK)
    throw std::runtime_error("cannot open " + db.string() + ": " + ::sqlite3_errstr(opened));
  // lmpd holds the write lock only for a moment at a time; wait rather than fail on it.
  ::sqlite3_busy_timeout(raw, 10000);
  sqlite3_stmt* statement = nullptr;
  const std::string key = seal_key(read_secret(db));
  if (::sqlite3_prepare_v2(raw,
                           "SELECT id, sealed_id, license_id, units, expires_at_ms FROM leases", -1,
                           &statement, nullptr) != SQLITE_OK)
    throw std::runtime_error("cannot read the leases of " + db.string() + ": " +
                             ::sqlite3_errmsg(raw));
  std::unique_ptr<sqlite3_stmt, decltype(&::sqlite3_finalize)> query(statement,
                                                                     &::sqlite3_finalize);
  std::unordered_map<std::string, StoredLease> leases;
  int step = SQLITE_ROW;
  while ((step = ::sqlite3_step(statement)) == SQLITE_ROW) {
    auto text = [&](int column) {
      const auto* value = reinterpret_cast<const char*>(::sqlite3_column_text(statement, column));
      return std::string(value == nullptr ? "" : value);
    };
    leases[unseal(key, text(0), text(1))] =
        StoredLease{::sqlite3_column_int64(statement, 2), ::sqlite3_column_int64(statement, 3),
                    ::sqlite3_column_int64(statement, 4)};
  }
  if (step != SQLITE_DONE)
    throw std::runtime_error("reading the leases of " + db.string() +
                             " failed: " + ::sqlite3_errmsg(raw));
  return leases;
}

}  // namespace lmp::torture
