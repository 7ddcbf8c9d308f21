// The server secret file (storage.secret_file): 32 random bytes outside the database that key
// what the database keeps of clients' secrets (storage/stored_secrets.hpp). Where it is, reading
// it, and making it at the first start of a new SQLite database.
#pragma once

#include <string>

#include "core/env.hpp"
#include "storage/storage_options.hpp"

namespace lmp::storage {

// storage.secret_file, or on SQLite `<sqlite_path>.secret` when it is not set. Throws StoreError
// on PostgreSQL without one: every instance must read the same file, which lmpd cannot make.
std::string secret_file_path(const Options& storage);

// What a missing secret file means.
enum class MissingSecret {
  create,   // a new SQLite database: make one
  restore,  // the SQLite database was made with one: it must come back from the backup
  share,    // PostgreSQL: every instance reads the same file, made once by the administrator
};

// The 32 bytes in `path`. When there is no such file and `missing` is `create`, makes one of 32
// random bytes from `env` (0600, flushed with its name) and logs `server_secret_created`; when
// another process made it meanwhile, reads that one. Throws StoreError naming the file and what
// to do when it is missing (and may not be made), unreadable, or not 32 bytes.
std::string load_server_secret(const std::string& path, MissingSecret missing, Env& env);

}  // namespace lmp::storage
