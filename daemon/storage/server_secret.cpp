// Reading and making the server secret file.
#include "storage/server_secret.hpp"

#include "core/log.hpp"
#include "domain/store_error.hpp"
#include "storage/stored_secrets.hpp"

namespace lmp::storage {

std::string secret_file_path(const Options& storage) {
  if (!storage.secret_file.empty()) return storage.secret_file;
  if (storage.backend == Backend::postgresql)
    throw domain::StoreError(
        "no server secret: storage.secret_file is required with the postgresql backend, the same "
        "file on every instance (docs/scale-out.md)");
  return storage.sqlite_path + ".secret";
}

std::string load_server_secret(const std::string& path, MissingSecret missing, Env& env) {
  std::string secret;
  std::error_code error = env.read_file(path, secret);
  if (error == std::errc::no_such_file_or_directory && missing == MissingSecret::create) {
    std::string fresh(StoredSecrets::kSecretSize, '\0');
    error = env.random_bytes(fresh.data(), fresh.size());
    if (!error) error = env.create_file(path, fresh);
    if (!error) {
      log::info("server_secret_created", {{"path", path}});
      return fresh;
    }
    // Another process opening the same new database made it first: use that one.
    if (error == std::errc::file_exists) error = env.read_file(path, secret);
    if (error)
      throw domain::StoreError("server secret " + path + ": cannot create it: " + error.message());
  }
  if (error == std::errc::no_such_file_or_directory && missing == MissingSecret::share)
    throw domain::StoreError(
        "server secret " + path +
        " is missing: on PostgreSQL every instance reads the same one; make it once (head -c 32 "
        "/dev/urandom > FILE; chmod 600 FILE) before the first instance starts, or copy it from "
        "an instance that has it (docs/scale-out.md)");
  if (error == std::errc::no_such_file_or_directory)
    throw domain::StoreError(
        "server secret " + path +
        " is missing: the database was made with it, and its code hashes and lease ids are "
        "useless without it; restore it from the backup of lmpd (docs/operations.md)");
  if (error) throw domain::StoreError("server secret " + path + ": " + error.message());
  if (secret.size() != StoredSecrets::kSecretSize)
    throw domain::StoreError("server secret " + path + " holds " + std::to_string(secret.size()) +
                             " bytes, not the 32 of a server secret (docs/operations.md)");
  return secret;
}

}  // namespace lmp::storage
