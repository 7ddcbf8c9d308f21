// lmp-run's command line: the options before "--" and the command after it.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lmp::client {

struct RunOptions {
  std::string servers;  // "host:port,host:port", in the order given
  std::string code;
  std::string product;
  std::uint32_t units = 1;
  std::uint32_t wait_seconds = 0;
  std::uint32_t timeout_ms = 5000;
  std::optional<std::string> host;  // unset: the machine's name; "": none sent
  std::optional<std::string> user;  // unset: the login name; "": none sent
  std::string holder_key;           // $LMP_HOLDER_KEY (protocol 1.1); empty: none sent
  // --tls: every --server entry without tcp:// or tls:// is a TLS one.
  bool tls = false;
  std::string ca_file;           // --ca: the CAs the servers' certificates must chain to
  std::string certificate_file;  // --cert: the client certificate...
  std::string key_file;          // --key: ...and its key
  // Borrowing (docs/client.md, "Borrowing"): --borrow DAYS takes a unit for DAYS and runs COMMAND
  // without heartbeats; --offline runs COMMAND when the stored token checks; --return gives the
  // unit back early (no COMMAND).
  std::uint32_t borrow_days = 0;  // 0: no --borrow
  bool offline = false;
  bool return_borrowed = false;
  std::string token_file;    // --token; empty: default_token_path(product)
  std::string keys_url;      // --keys-url: the server's HTTP listener, for its key set
  std::string keys_ca_file;  // --keys-ca: the CAs an https keys URL must chain to
  std::string keys_file;     // --keys: a JWK Set file instead
  bool quiet = false;
  bool help = false;
  bool version = false;
  std::vector<std::string> command;
};

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses argv; the activation code may also come from $LMP_CODE (so it is not shown by ps) and
// the servers from $LMP_SERVER; the holder key comes only from $LMP_HOLDER_KEY (a secret). Throws
// UsageError with a one-line reason.
RunOptions parse_run_options(int argc, char** argv);

// Where a borrow token lives when --token is not given: $XDG_STATE_HOME/lmp (else
// ~/.local/state/lmp), borrowed.token or borrowed-PRODUCT.token. Throws UsageError when neither
// variable is set or the product cannot be part of a file name.
std::string default_token_path(const std::string& product);

// The server list with "tls://" before every entry that names no scheme (what --tls means).
std::string with_tls(std::string_view servers);

// What --help prints.
std::string run_help();

}  // namespace lmp::client
