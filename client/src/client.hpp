// The C++ core behind lmp_client: the server pool, the holder's identity, the one-shot verbs
// (PING, ACTIVATE, STATUS) and borrowing (a lease held offline with a signed token, checked by
// borrow_check.hpp). Leases are objects of their own (lease.hpp). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "borrow_check.hpp"
#include "borrow_token.hpp"
#include "lease.hpp"
#include "server_pool.hpp"
#include "wire.hpp"

namespace lmp::client {

class Client {
 public:
  // Parses the server list (throws ClientError); the identity starts as this host and user.
  explicit Client(std::string_view servers);

  void set_timeout(std::chrono::milliseconds timeout) { pool_->set_timeout(timeout); }
  // The CA file (empty: the system's CAs) and client certificate for the tls:// servers; reads
  // the files now. Throws ClientError(LMP_ERR_INVALID_ARGUMENT).
  void set_tls(const std::string& ca_file, const std::string& certificate_file,
               const std::string& key_file) {
    pool_->set_tls(std::make_shared<TlsSettings>(ca_file, certificate_file, key_file));
  }
  // Unset keeps the current value; empty sends none.
  void set_identity(std::optional<std::string> host, std::optional<std::string> user);
  // nullopt: a random key drawn now; "": none; otherwise 16 to 255 bytes (throws ClientError).
  void set_holder_key(std::optional<std::string> key);

  void ping();
  Answer activate(std::string_view code);
  Answer status(std::string_view code, std::string_view product);
  std::unique_ptr<Lease> checkout(std::string_view code, std::string_view product,
                                  std::uint32_t units, std::uint32_t wait_seconds, bool background);

  // Borrowing (lmp_borrow and its neighbours in client.h). "" sets none; a bad URL throws.
  void set_keys_url(std::string_view url);
  void set_keys_file(std::string path);
  void set_keys_ca_file(const std::string& path);
  // Borrows for `seconds` and stores the token in `token_path`; refreshes the cached keys when a
  // keys URL is set (best effort: a later check fetches them again). Throws ClientError.
  BorrowToken borrow(std::string_view code, std::string_view product, std::uint32_t units,
                     std::uint32_t seconds, const std::string& token_path);
  // The offline check at the current time (borrow_check.hpp); throws ClientError.
  BorrowToken check_borrowed(const std::string& token_path);
  // CHECKIN of the borrowed lease, then the token file is removed; throws ClientError.
  void return_borrowed(const std::string& token_path);

 private:
  const std::shared_ptr<ServerPool> pool_;
  std::mutex mutex_;  // guards the identity
  std::string host_;
  std::string user_;
  std::string holder_key_;
  KeySource keys_;  // guarded by mutex_
};

}  // namespace lmp::client
