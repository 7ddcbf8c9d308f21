// The C++ core behind lmp_client: the server pool, the holder's identity, and the one-shot
// verbs (PING, ACTIVATE, STATUS). Leases are objects of their own (lease.hpp). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

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

 private:
  const std::shared_ptr<ServerPool> pool_;
  std::mutex mutex_;  // guards the identity
  std::string host_;
  std::string user_;
  std::string holder_key_;
};

}  // namespace lmp::client
