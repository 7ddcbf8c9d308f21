// The server's signing keys in SQL: public keys as base64url, private keys sealed with the server
// secret (storage/stored_secrets.hpp).
#include <string>

#include "core/base64url.hpp"
#include "storage/sql_repositories.hpp"
#include "storage/sql_rows.hpp"
#include "storage/stored_secrets.hpp"

namespace lmp::storage {
namespace {

using domain::SigningKey;

struct SigningKeyColumns {
  using Row = SigningKey;
  static constexpr std::string_view kRead = "read signing keys";
  static constexpr std::string_view kSelect =
      "SELECT kid, public_key, sealed_private_key, created_at_ms, retired_at_ms, signed_until_ms"
      " FROM signing_keys";

  void bind(soci::statement& st, SigningKey& k) {
    bind_columns(st, k.kid, public_key, sealed, k.created_at_ms, retired, k.signed_until_ms);
  }
  SigningKey finish(SigningKey k) const {
    auto raw = base64url_decode(public_key);
    if (!raw)
      throw domain::StoreError("signing key " + k.kid + ": its public key is not base64url");
    k.public_key = std::move(*raw);
    k.private_key = sealed;  // still sealed: SqlSigningKeyRepository::active() opens it
    k.retired_at_ms = retired.get();
    return k;
  }

  std::string public_key;
  std::string sealed;
  NullableId retired;
};

class SqlSigningKeyRepository final : public domain::SigningKeyRepository {
 public:
  SqlSigningKeyRepository(soci::session& sql, StoredSecrets& secrets)
      : sql_(sql), secrets_(secrets) {}

  std::optional<SigningKey> active() override {
    auto key = first(select_rows<SigningKeyColumns>(
        sql_, " WHERE retired_at_ms IS NULL ORDER BY created_at_ms DESC, kid DESC LIMIT 1"));
    if (!key) return std::nullopt;
    try {
      key->private_key = secrets_.unseal_signing_key(key->private_key, key->kid);
    } catch (const std::invalid_argument& ex) {
      throw domain::StoreError("signing key " + key->kid + ": " + ex.what() +
                               " (another server secret?)");
    }
    return key;
  }

  std::vector<SigningKey> published(std::int64_t now_ms) override {
    auto keys = select_rows<SigningKeyColumns>(
        sql_, " WHERE retired_at_ms IS NULL OR signed_until_ms > :now ORDER BY created_at_ms, kid",
        now_ms);
    for (auto& k : keys) k.private_key.clear();
    return keys;
  }

  void insert(const SigningKey& k) override {
    guarded("store a signing key", [&] {
      std::int64_t clash = 0;
      sql_ << "SELECT COUNT(*) FROM signing_keys WHERE kid = :kid", soci::use(k.kid),
          soci::into(clash);
      if (clash > 0) throw domain::DuplicateError("a signing key with this kid already exists");
      const std::string public_key = base64url_encode(k.public_key);
      const std::string sealed = secrets_.seal_signing_key(k.private_key, k.kid);
      sql_ << "INSERT INTO signing_keys (kid, public_key, sealed_private_key, created_at_ms,"
              " signed_until_ms) VALUES (:kid, :public_key, :sealed, :created, 0)",
          soci::use(k.kid), soci::use(public_key), soci::use(sealed), soci::use(k.created_at_ms);
    });
  }

  void retire_all(std::int64_t now_ms) override {
    guarded("retire the signing keys", [&] {
      affected(sql_, "UPDATE signing_keys SET retired_at_ms = :now WHERE retired_at_ms IS NULL",
               now_ms);
    });
  }

  void note_signed(const std::string& kid, std::int64_t exp_ms) override {
    guarded("note a signed token", [&] {
      affected(sql_,
               "UPDATE signing_keys SET signed_until_ms = :exp WHERE kid = :kid AND"
               " signed_until_ms < :exp2",
               exp_ms, kid, exp_ms);
    });
  }

 private:
  soci::session& sql_;
  StoredSecrets& secrets_;
};

}  // namespace

std::unique_ptr<domain::SigningKeyRepository> sql_signing_key_repository(soci::session& sql,
                                                                         StoredSecrets& secrets) {
  return std::make_unique<SqlSigningKeyRepository>(sql, secrets);
}

}  // namespace lmp::storage
