// The stable C API (lmp/client/client.h) over the C++ core: handles, result codes and the
// per-thread error message. No exception crosses this file's functions.
#include <cstring>
#include <new>

#include "client.hpp"
#include "client_error.hpp"
#include "lmp/client/client.h"
#include "version.hpp"

struct lmp_client {
  lmp::client::Client impl;
};

struct lmp_lease {
  std::unique_ptr<lmp::client::Lease> impl;
};

namespace {

thread_local std::string last_error;

lmp_result fail(lmp_result code, const char* message) {
  last_error = message;
  return code;
}

// Runs `body`, turning exceptions into a result code and the thread's error message.
template <typename Body>
lmp_result guarded(Body&& body) {
  try {
    last_error.clear();
    body();
    return LMP_OK;
  } catch (const lmp::client::ClientError& e) {
    return fail(e.code(), e.what());
  } catch (const std::bad_alloc&) {
    return fail(LMP_ERR_NO_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return fail(LMP_ERR_SERVER, e.what());
  }
}

lmp_result null_argument(const char* name) {
  last_error = std::string(name) + " is NULL";
  return LMP_ERR_INVALID_ARGUMENT;
}

const char* or_empty(const char* text) {
  return text ? text : "";
}

template <std::size_t N>
void copy_text(char (&to)[N], const std::string& from) {
  std::size_t n = std::min(from.size(), N - 1);
  std::memcpy(to, from.data(), n);
  to[n] = '\0';
}

void fill_borrowed(lmp_borrowed& out, const lmp::client::BorrowToken& token) {
  lmp_borrowed result{};
  copy_text(result.lease, token.lease);
  result.license_id = token.license;
  copy_text(result.product, token.product);
  result.units = token.units;
  copy_text(result.host, token.host);
  copy_text(result.user, token.user);
  result.issued = token.issued_at;
  result.expires = token.expires_at;
  out = result;
}

}  // namespace

extern "C" {

const char* lmp_result_name(lmp_result result) {
  switch (result) {
    case LMP_OK:
      return "ok";
    case LMP_ERR_INVALID_ARGUMENT:
      return "invalid_argument";
    case LMP_ERR_UNREACHABLE:
      return "unreachable";
    case LMP_ERR_UNAVAILABLE:
      return "unavailable";
    case LMP_ERR_NO_SEATS:
      return "no_seats";
    case LMP_ERR_INVALID_CODE:
      return "invalid_code";
    case LMP_ERR_LICENSE_EXPIRED:
      return "license_expired";
    case LMP_ERR_LICENSE_NOT_STARTED:
      return "license_not_started";
    case LMP_ERR_END_OF_LIFE:
      return "end_of_life";
    case LMP_ERR_PRODUCT_NOT_LICENSED:
      return "product_not_licensed";
    case LMP_ERR_LEASE_UNKNOWN:
      return "lease_unknown";
    case LMP_ERR_RATE_LIMITED:
      return "rate_limited";
    case LMP_ERR_PROTOCOL:
      return "protocol";
    case LMP_ERR_SERVER:
      return "server";
    case LMP_ERR_LEASE_LOST:
      return "lease_lost";
    case LMP_ERR_UNSUPPORTED:
      return "unsupported";
    case LMP_ERR_NO_MEMORY:
      return "no_memory";
    case LMP_ERR_LEASE_REVOKED:
      return "lease_revoked";
    case LMP_ERR_TOKEN_MALFORMED:
      return "token_malformed";
    case LMP_ERR_TOKEN_UNKNOWN_KEY:
      return "token_unknown_key";
    case LMP_ERR_TOKEN_BAD_SIGNATURE:
      return "token_bad_signature";
    case LMP_ERR_TOKEN_EXPIRED:
      return "token_expired";
    case LMP_ERR_TOKEN_OTHER_HOST:
      return "token_other_host";
    case LMP_ERR_CLOCK_MOVED_BACK:
      return "clock_moved_back";
    case LMP_ERR_NO_KEYS:
      return "no_keys";
    case LMP_ERR_NOT_BORROWED:
      return "not_borrowed";
    case LMP_ERR_NOT_ALLOWED:
      return "not_allowed";
    case LMP_ERR_OVER_LIMIT:
      return "over_limit";
  }
  return "unknown_result";
}

const char* lmp_last_error(void) {
  return last_error.c_str();
}

const char* lmp_client_version(void) {
  return lmp::client::version().c_str();
}

lmp_result lmp_client_new(const char* servers, lmp_client** out) {
  if (!out) return null_argument("out");
  *out = nullptr;
  if (!servers) return null_argument("servers");
  return guarded([&] { *out = new lmp_client{lmp::client::Client(servers)}; });
}

void lmp_client_free(lmp_client* client) {
  delete client;
}

lmp_result lmp_client_set_timeout_ms(lmp_client* client, uint32_t timeout_ms) {
  if (!client) return null_argument("client");
  if (timeout_ms == 0) return fail(LMP_ERR_INVALID_ARGUMENT, "the timeout must be above 0 ms");
  return guarded([&] { client->impl.set_timeout(std::chrono::milliseconds(timeout_ms)); });
}

lmp_result lmp_client_set_tls(lmp_client* client, const char* ca_file, const char* cert_file,
                              const char* key_file) {
  if (!client) return null_argument("client");
  return guarded(
      [&] { client->impl.set_tls(or_empty(ca_file), or_empty(cert_file), or_empty(key_file)); });
}

lmp_result lmp_client_set_identity(lmp_client* client, const char* host, const char* user) {
  if (!client) return null_argument("client");
  auto given = [](const char* text) {
    return text ? std::optional<std::string>(text) : std::nullopt;
  };
  return guarded([&] { client->impl.set_identity(given(host), given(user)); });
}

lmp_result lmp_client_set_holder_key(lmp_client* client, const char* key) {
  if (!client) return null_argument("client");
  return guarded(
      [&] { client->impl.set_holder_key(key ? std::optional<std::string>(key) : std::nullopt); });
}

lmp_result lmp_client_ping(lmp_client* client) {
  if (!client) return null_argument("client");
  return guarded([&] { client->impl.ping(); });
}

lmp_result lmp_client_activate(lmp_client* client, const char* code, lmp_activation* out) {
  if (!client) return null_argument("client");
  if (!code) return null_argument("code");
  if (!out) return null_argument("out");
  return guarded([&] {
    auto answer = client->impl.activate(code);
    lmp_activation result{};
    result.license_id = answer.number("license");
    copy_text(result.product, answer.at("product"));
    copy_text(result.family, answer.at("family"));
    copy_text(result.unit, answer.at("unit"));
    result.units = static_cast<uint32_t>(answer.number("units"));
    result.expires = answer.number("expires");
    *out = result;
  });
}

lmp_result lmp_client_status(lmp_client* client, const char* code, const char* product,
                             lmp_license_status* out) {
  if (!client) return null_argument("client");
  if (!code) return null_argument("code");
  if (!out) return null_argument("out");
  return guarded([&] {
    auto answer = client->impl.status(code, or_empty(product));
    lmp_license_status result{};
    copy_text(result.product, answer.at("product"));
    copy_text(result.state, answer.at("state"));
    result.units = static_cast<uint32_t>(answer.number("units"));
    result.used = static_cast<uint32_t>(answer.number("used"));
    result.free_units = static_cast<uint32_t>(answer.number("free"));
    result.expires = answer.number("expires");
    *out = result;
  });
}

lmp_result lmp_client_checkout(lmp_client* client, const char* code, const char* product,
                               uint32_t units, uint32_t wait_seconds, uint32_t flags,
                               lmp_lease** out) {
  if (!out) return null_argument("out");
  *out = nullptr;
  if (!client) return null_argument("client");
  if (!code) return null_argument("code");
  if (flags & ~static_cast<uint32_t>(LMP_CHECKOUT_MANUAL_HEARTBEAT))
    return fail(LMP_ERR_INVALID_ARGUMENT, "unknown checkout flags");
  return guarded([&] {
    bool background = (flags & LMP_CHECKOUT_MANUAL_HEARTBEAT) == 0;
    *out = new lmp_lease{
        client->impl.checkout(code, or_empty(product), units, wait_seconds, background)};
  });
}

lmp_result lmp_lease_heartbeat(lmp_lease* lease) {
  if (!lease) return null_argument("lease");
  return guarded([&] { lease->impl->heartbeat(); });
}

uint32_t lmp_lease_next_heartbeat_ms(const lmp_lease* lease) {
  if (!lease) return 0;
  return static_cast<uint32_t>(lease->impl->until_next_heartbeat().count());
}

lmp_result lmp_lease_state(const lmp_lease* lease) {
  if (!lease) return null_argument("lease");
  return lease->impl->state();
}

lmp_result lmp_lease_id(const lmp_lease* lease, char* buf, size_t size) {
  if (!lease) return null_argument("lease");
  if (!buf) return null_argument("buf");
  return guarded([&] {
    auto id = lease->impl->id();
    if (id.size() + 1 > size)
      throw lmp::client::ClientError(LMP_ERR_INVALID_ARGUMENT, "the buffer is too small");
    std::memcpy(buf, id.c_str(), id.size() + 1);
  });
}

int64_t lmp_lease_expires(const lmp_lease* lease) {
  return lease ? lease->impl->expires() : 0;
}

lmp_result lmp_lease_checkin(lmp_lease* lease) {
  if (!lease) return null_argument("lease");
  return guarded([&] { lease->impl->check_in(); });
}

lmp_result lmp_client_set_keys_url(lmp_client* client, const char* url) {
  if (!client) return null_argument("client");
  return guarded([&] { client->impl.set_keys_url(or_empty(url)); });
}

lmp_result lmp_client_set_keys_ca_file(lmp_client* client, const char* ca_file) {
  if (!client) return null_argument("client");
  return guarded([&] { client->impl.set_keys_ca_file(or_empty(ca_file)); });
}

lmp_result lmp_client_set_keys_file(lmp_client* client, const char* path) {
  if (!client) return null_argument("client");
  return guarded([&] { client->impl.set_keys_file(or_empty(path)); });
}

lmp_result lmp_borrow(lmp_client* client, const char* code, const char* product, uint32_t units,
                      uint32_t seconds, const char* token_file, lmp_borrowed* out) {
  if (!client) return null_argument("client");
  if (!code) return null_argument("code");
  if (!token_file) return null_argument("token_file");
  return guarded([&] {
    auto token = client->impl.borrow(code, or_empty(product), units, seconds, token_file);
    if (out) fill_borrowed(*out, token);
  });
}

lmp_result lmp_check_borrowed(lmp_client* client, const char* token_file, lmp_borrowed* out) {
  if (!client) return null_argument("client");
  if (!token_file) return null_argument("token_file");
  return guarded([&] {
    auto token = client->impl.check_borrowed(token_file);
    if (out) fill_borrowed(*out, token);
  });
}

lmp_result lmp_return(lmp_client* client, const char* token_file) {
  if (!client) return null_argument("client");
  if (!token_file) return null_argument("token_file");
  return guarded([&] { client->impl.return_borrowed(token_file); });
}

void lmp_lease_free(lmp_lease* lease) {
  if (!lease) return;
  // Best effort: a failed checkin leaves the lease to lapse at its expiry.
  std::string kept = last_error;
  (void)lmp_lease_checkin(lease);
  last_error = std::move(kept);
  delete lease;
}

}  // extern "C"
