// The client library's C++ API: header-only RAII wrappers over the C API of <lmp/client/client.h>
// (C++17). A Lease checks its units in when it goes away; failures throw lmp::endpoint::Error
// with the C API's result and message. Nothing here adds a symbol to liblmpclient, so the
// library's ABI stays the C API's (docs/client.md, "C++").
#ifndef LMP_CLIENT_CLIENT_HPP
#define LMP_CLIENT_CLIENT_HPP

#include <lmp/client/client.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace lmp::endpoint {

// A failed call: what the C API returned and lmp_last_error()'s message.
class Error : public std::runtime_error {
 public:
  Error(lmp_result result, const std::string& message)
      : std::runtime_error(std::string(lmp_result_name(result)) + ": " + message),
        result_(result) {}
  lmp_result result() const noexcept { return result_; }

 private:
  lmp_result result_;
};

namespace detail {
inline void check(lmp_result result) {
  if (result != LMP_OK) throw Error(result, lmp_last_error());
}
// NULL for an empty text: the C API's "none" or "default" (see each setter).
inline const char* or_null(const std::string& text) {
  return text.empty() ? nullptr : text.c_str();
}
}  // namespace detail

// Units held from a checkout. Move-only: the one owner checks them in, at the latest when it is
// destroyed (lmp_lease_free), so a lease cannot outlive its scope by mistake. A moved-from or
// checked-in Lease is empty.
class Lease {
 public:
  Lease() noexcept = default;
  // Takes ownership of `handle` (from lmp_client_checkout).
  explicit Lease(lmp_lease* handle) noexcept : handle_(handle) {}
  Lease(Lease&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  Lease& operator=(Lease&& other) noexcept {
    if (this != &other) {
      lmp_lease_free(handle_);
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  // Checks in (when not done yet) and frees the handle; never throws.
  ~Lease() { lmp_lease_free(handle_); }

  explicit operator bool() const noexcept { return handle_ != nullptr; }
  lmp_lease* handle() const noexcept { return handle_; }

  std::string id() const {
    char buf[256];
    detail::check(lmp_lease_id(require(), buf, sizeof buf));
    return buf;
  }
  std::int64_t expires() const { return lmp_lease_expires(require()); }
  // LMP_OK while held; otherwise why not (lmp_lease_state). Does not throw for a lost lease.
  lmp_result state() const { return lmp_lease_state(require()); }
  // For LMP_CHECKOUT_MANUAL_HEARTBEAT: heartbeat now, and when to do it next.
  void heartbeat() { detail::check(lmp_lease_heartbeat(require())); }
  std::uint32_t next_heartbeat_ms() const { return lmp_lease_next_heartbeat_ms(require()); }
  // Returns the units now and empties the lease; throws when the check-in failed (the handle is
  // freed either way).
  void checkin() {
    lmp_lease* handle = std::exchange(handle_, nullptr);
    if (handle == nullptr) return;
    const lmp_result result = lmp_lease_checkin(handle);
    std::string message = result == LMP_OK ? std::string() : lmp_last_error();
    lmp_lease_free(handle);
    if (result != LMP_OK) throw Error(result, message);
  }
  // Gives up ownership without checking in; the caller frees the handle.
  lmp_lease* release() noexcept { return std::exchange(handle_, nullptr); }

 private:
  lmp_lease* require() const {
    if (handle_ == nullptr) throw Error(LMP_ERR_INVALID_ARGUMENT, "the lease is empty");
    return handle_;
  }
  lmp_lease* handle_ = nullptr;
};

struct CheckoutOptions {
  std::string product;  // empty: the license's product
  std::uint32_t units = 1;
  std::uint32_t wait_seconds = 0;  // queue on the server when none is free
  bool manual_heartbeat = false;   // LMP_CHECKOUT_MANUAL_HEARTBEAT
};

// A client of a list of servers ("host:port,tls://host:port"). Move-only; leases it hands out
// do not depend on it.
class Client {
 public:
  explicit Client(const std::string& servers) {
    detail::check(lmp_client_new(servers.c_str(), &handle_));
  }
  Client(Client&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  Client& operator=(Client&& other) noexcept {
    if (this != &other) {
      lmp_client_free(handle_);
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  ~Client() { lmp_client_free(handle_); }

  lmp_client* handle() const noexcept { return handle_; }

  void set_timeout_ms(std::uint32_t ms) { detail::check(lmp_client_set_timeout_ms(handle_, ms)); }
  // "" sends none (the C API's NULL, keep the current value, has no C++ spelling: call nothing).
  void set_identity(const std::string& host, const std::string& user) {
    detail::check(lmp_client_set_identity(handle_, host.c_str(), user.c_str()));
  }
  // Files for the tls:// servers; an empty name leaves that one unset.
  void set_tls(const std::string& ca_file, const std::string& cert_file = {},
               const std::string& key_file = {}) {
    detail::check(lmp_client_set_tls(handle_, detail::or_null(ca_file), detail::or_null(cert_file),
                                     detail::or_null(key_file)));
  }
  // The key itself, or "" for none (the default).
  void set_holder_key(const std::string& key) {
    detail::check(lmp_client_set_holder_key(handle_, key.c_str()));
  }
  // A random key for this client's life (lmp_client_set_holder_key with NULL).
  void set_random_holder_key() { detail::check(lmp_client_set_holder_key(handle_, nullptr)); }
  void set_keys_url(const std::string& url) {
    detail::check(lmp_client_set_keys_url(handle_, url.c_str()));
  }
  void set_keys_file(const std::string& path) {
    detail::check(lmp_client_set_keys_file(handle_, path.c_str()));
  }
  void set_keys_ca_file(const std::string& path) {
    detail::check(lmp_client_set_keys_ca_file(handle_, path.c_str()));
  }

  void ping() { detail::check(lmp_client_ping(handle_)); }
  lmp_activation activate(const std::string& code) {
    lmp_activation out{};
    detail::check(lmp_client_activate(handle_, code.c_str(), &out));
    return out;
  }
  lmp_license_status status(const std::string& code, const std::string& product = {}) {
    lmp_license_status out{};
    detail::check(lmp_client_status(handle_, code.c_str(), detail::or_null(product), &out));
    return out;
  }
  Lease checkout(const std::string& code, const CheckoutOptions& options = {}) {
    lmp_lease* lease = nullptr;
    detail::check(lmp_client_checkout(
        handle_, code.c_str(), detail::or_null(options.product), options.units,
        options.wait_seconds,
        options.manual_heartbeat ? static_cast<std::uint32_t>(LMP_CHECKOUT_MANUAL_HEARTBEAT) : 0u,
        &lease));
    return Lease(lease);
  }

  // Borrowing (docs/client.md, "Borrowing"): the token is kept in `token_file`.
  lmp_borrowed borrow(const std::string& code, std::uint32_t seconds, const std::string& token_file,
                      std::uint32_t units = 1, const std::string& product = {}) {
    lmp_borrowed out{};
    detail::check(lmp_borrow(handle_, code.c_str(), detail::or_null(product), units, seconds,
                             token_file.c_str(), &out));
    return out;
  }
  lmp_borrowed check_borrowed(const std::string& token_file) {
    lmp_borrowed out{};
    detail::check(lmp_check_borrowed(handle_, token_file.c_str(), &out));
    return out;
  }
  void return_borrowed(const std::string& token_file) {
    detail::check(lmp_return(handle_, token_file.c_str()));
  }

 private:
  lmp_client* handle_ = nullptr;
};

}  // namespace lmp::endpoint

#endif  // LMP_CLIENT_CLIENT_HPP
