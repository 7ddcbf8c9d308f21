// The TLS transport: OpenSSL over the client's own non-blocking socket, and the client-side TLS
// settings (which CAs to trust, which certificate to offer) shared by a client's connections.
#pragma once

#include <memory>
#include <string>

#include "server_address.hpp"
#include "transport.hpp"

namespace lmp::client {

// Thread safety: immutable once made; shared by every connection of a client.
class TlsSettings {
 public:
  // `ca_file` empty: the system's trusted CAs. `certificate_file` and `key_file` (both or
  // neither): the client certificate offered to servers that ask. Reads the files now; throws
  // ClientError(LMP_ERR_INVALID_ARGUMENT) naming a file that cannot be used.
  TlsSettings(const std::string& ca_file, const std::string& certificate_file,
              const std::string& key_file);
  ~TlsSettings();
  TlsSettings(const TlsSettings&) = delete;
  TlsSettings& operator=(const TlsSettings&) = delete;

  void* native() const { return ctx_; }  // SSL_CTX*, kept out of this header

 private:
  void* ctx_ = nullptr;
};

// Connects, then completes the handshake before the deadline, verifying that the server's
// certificate chains to a trusted CA and names server.host (a DNS name or an IP address).
// Throws ClientError(LMP_ERR_UNREACHABLE) naming the server and the cause (also for a failed
// verification, so that the next server is tried).
std::unique_ptr<Transport> connect_tls(const ServerAddress& server, const TlsSettings& settings,
                                       Deadline deadline);

}  // namespace lmp::client
