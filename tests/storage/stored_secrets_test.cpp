// The keyed forms of clients' secrets (storage/stored_secrets.hpp), and the server secret file
// they come from: made 0600 with a new SQLite database, and a missing, wrong or damaged file
// refused at the open with a message that says what to do, never a silent mismatch.
#include "storage/stored_secrets.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "core/hex.hpp"
#include "core/sha256.hpp"
#include "storage/server_secret.hpp"
#include "storage_test_support.hpp"

namespace lmp::storage::testing {
namespace {

const std::string kSecret(StoredSecrets::kSecretSize, '\x11');
const std::string kOtherSecret(StoredSecrets::kSecretSize, '\x22');

TEST(StoredSecrets, LeaseIdsSealAndUnsealUnderTheirRowKey) {
  StoredSecrets secrets(kSecret);
  StoredSecrets other(kOtherSecret);
  for (const std::string& id : {std::string("9f0c5e1b7a2d4c3e8b6a1f0e9d8c7b6a"), std::string(),
                                std::string(100, 'x'), std::string("l1")}) {
    const std::string row_key = secrets.lease_row_key(id);
    EXPECT_EQ(row_key.size(), 32u);
    const std::string sealed = secrets.seal_lease_id(id, row_key);
    // Hex of a 12-byte nonce, the encrypted id and a 16-byte tag.
    EXPECT_EQ(sealed.size(), 2 * (12 + id.size() + 16));
    if (!id.empty()) {
      EXPECT_EQ(sealed.find(id), std::string::npos);
    }
    EXPECT_EQ(secrets.unseal_lease_id(sealed, row_key), id);
    // A fresh nonce each time: sealing the same id twice gives two different values.
    EXPECT_NE(secrets.seal_lease_id(id, row_key), sealed);
    // Another secret gives another row key and cannot read the id back; nor does the sealed id
    // open under another row's key.
    EXPECT_NE(other.lease_row_key(id), row_key);
    EXPECT_THROW(other.unseal_lease_id(sealed, row_key), std::invalid_argument);
    EXPECT_THROW(secrets.unseal_lease_id(sealed, secrets.lease_row_key(id + "0")),
                 std::invalid_argument);
    // Nor a damaged one.
    std::string damaged = sealed;
    damaged[30] = damaged[30] == '0' ? '1' : '0';
    EXPECT_THROW(secrets.unseal_lease_id(damaged, row_key), std::invalid_argument);
  }
  EXPECT_THROW(secrets.unseal_lease_id("abc", "k"), std::invalid_argument);
  EXPECT_THROW(secrets.unseal_lease_id("zz", "k"), std::invalid_argument);
  EXPECT_THROW(secrets.unseal_lease_id("00", "k"), std::invalid_argument);
}

TEST(StoredSecrets, SigningKeysSealForTheirKidUnderTheSecretOnly) {
  StoredSecrets secrets(kSecret);
  StoredSecrets other(kOtherSecret);
  const std::string key(32, '\x5a');
  const std::string sealed = secrets.seal_signing_key(key, "kid1");
  EXPECT_EQ(sealed.find(to_hex(key)), std::string::npos);
  EXPECT_NE(secrets.seal_signing_key(key, "kid1"), sealed);  // a nonce of its own each time
  EXPECT_EQ(secrets.unseal_signing_key(sealed, "kid1"), key);
  EXPECT_THROW(secrets.unseal_signing_key(sealed, "kid2"), std::invalid_argument);
  EXPECT_THROW(other.unseal_signing_key(sealed, "kid1"), std::invalid_argument);
  EXPECT_THROW(secrets.unseal_signing_key("zz", "kid1"), std::invalid_argument);
  // Not the lease ids' key: a sealed lease id does not open as a signing key.
  EXPECT_THROW(secrets.unseal_signing_key(secrets.seal_lease_id(key, "kid1"), "kid1"),
               std::invalid_argument);
}

TEST(StoredSecrets, EqualSecretsGiveEqualFormsAndEveryPurposeItsOwn) {
  StoredSecrets one(kSecret);
  StoredSecrets two(kSecret);
  const std::string digest = sha256_hex("48213093775162088274");
  EXPECT_EQ(one.code_hash(digest), two.code_hash(digest));
  EXPECT_EQ(one.code_hash(digest).size(), 64u);
  EXPECT_NE(one.code_hash(digest), digest);
  EXPECT_NE(one.code_hash(digest), one.key_hash(digest));
  EXPECT_NE(one.code_hash(digest), one.holder_proof_of_digest(digest));
  EXPECT_NE(one.code_hash(digest), StoredSecrets(kOtherSecret).code_hash(digest));
  EXPECT_EQ(one.holder_proof("k"), one.holder_proof_of_digest(sha256_hex("k")));
  EXPECT_EQ(one.holder_proof(""), "");
  EXPECT_EQ(one.check_value(), two.check_value());
  EXPECT_NE(one.check_value(), StoredSecrets(kOtherSecret).check_value());
  EXPECT_THROW(StoredSecrets("short"), std::invalid_argument);
}

using ServerSecretTest = StorageTest;

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_all(const std::string& path, const std::string& contents) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << contents;
}

// The StoreError message of opening the database, or "" when it opened.
std::string open_error(const Options& storage) {
  try {
    open_sqlite(storage);
    return "";
  } catch (const StoreError& e) {
    return e.what();
  }
}

TEST_F(ServerSecretTest, ANewDatabaseGetsASecretOfItsOwnReadableByItsOwnerOnly) {
  open();
  const std::string path = storage_.sqlite_path + ".secret";
  EXPECT_EQ(read_all(path).size(), 32u);
  EXPECT_EQ(std::filesystem::status(path).permissions(),
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  // Opened again, the same secret is read and accepted.
  const std::string secret = read_all(path);
  EXPECT_EQ(open_error(storage_), "");
  EXPECT_EQ(read_all(path), secret);
}

TEST_F(ServerSecretTest, TheConfiguredFileIsUsed) {
  storage_.secret_file = (dir_ / "elsewhere.key").string();
  open();
  EXPECT_EQ(read_all(storage_.secret_file).size(), 32u);
  EXPECT_FALSE(std::filesystem::exists(storage_.sqlite_path + ".secret"));
}

TEST_F(ServerSecretTest, AMissingSecretIsRefusedAndNotMadeAnew) {
  open();
  const std::string path = storage_.sqlite_path + ".secret";
  std::filesystem::remove(path);
  const std::string error = open_error(storage_);
  EXPECT_NE(error.find(path + " is missing"), std::string::npos) << error;
  EXPECT_NE(error.find("restore it from the backup"), std::string::npos) << error;
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(ServerSecretTest, AnotherSecretIsRefused) {
  open();
  const std::string path = storage_.sqlite_path + ".secret";
  write_all(path, kOtherSecret);
  const std::string error = open_error(storage_);
  EXPECT_NE(error.find("is not the one this database was made with"), std::string::npos) << error;
}

TEST_F(ServerSecretTest, ASecretOfTheWrongSizeIsRefused) {
  open();
  const std::string path = storage_.sqlite_path + ".secret";
  write_all(path, read_all(path) + "\n");
  const std::string error = open_error(storage_);
  EXPECT_NE(error.find("holds 33 bytes, not the 32"), std::string::npos) << error;
}

TEST(ServerSecretPath, PostgresqlNeedsAFileOfItsOwn) {
  Options storage;
  storage.sqlite_path = "/var/lib/lmpd/lmpd.db";
  EXPECT_EQ(secret_file_path(storage), "/var/lib/lmpd/lmpd.db.secret");
  storage.backend = Backend::postgresql;
  EXPECT_THROW(secret_file_path(storage), StoreError);
  storage.secret_file = "/etc/lmpd/secret";
  EXPECT_EQ(secret_file_path(storage), "/etc/lmpd/secret");
}

}  // namespace
}  // namespace lmp::storage::testing
