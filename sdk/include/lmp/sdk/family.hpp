// The interface a product family implements: how a license's units are counted and when a
// checkout is granted. Public SDK header: standard library only, no Boost, no Asio.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lmp::sdk {

// What a license counts. The names match the seat protocol's `unit=` values.
enum class UnitType : std::uint8_t { seats, endpoints, users, encryption_keys };

// Protocol error codes a family may answer a checkout with. The host maps each to its
// protocol spelling (`no_seats`, `bad_request`, `product_not_licensed`).
enum class Denial : std::uint8_t { none, no_seats, bad_request, product_not_licensed };

// A product as configured, handed to the family on every call. `settings` holds the product's
// family settings as strings, exactly as written in the config.
struct ProductInfo {
  std::string code;
  std::string name;
  std::string family;
  UnitType unit = UnitType::seats;
  std::map<std::string, std::string> settings;
  // The site's lease defaults (config `leases:`), for products whose settings do not override them.
  std::int64_t default_lease_seconds = 300;
  std::int64_t default_heartbeat_seconds = 60;
};

// How long a lease lives without a heartbeat, and the heartbeat interval the server advises.
struct LeaseTerms {
  std::int64_t lease_seconds = 0;
  std::int64_t heartbeat_seconds = 0;
};

// Who is checking out, as the endpoint said it. Views are valid for the duration of the call only.
struct HolderRequest {
  std::string_view host;  // empty when not given
  std::string_view user;  // empty when not given
  std::int64_t units_requested = 1;
};

// The family's answer to "who is this holder?". A non-empty `key` makes checkouts idempotent:
// a second checkout with the same key on the same license returns the first lease. An empty key
// means every checkout is a lease of its own.
struct HolderIdentity {
  Denial denial = Denial::none;  // bad_request when a field the family needs is missing
  std::string message;           // for a denial: names the field
  std::string key;
};

// A key made of several of the endpoint's fields must tell every combination apart, or two
// holders share a lease: "alice@ws1" + "@" + "ws2" and "alice" + "@" + "ws1@ws2" must not both
// read "alice@ws1@ws2". Escape every field but the last with this before joining them with
// `separator`: '%' becomes "%25" and `separator` "%" and its two hex digits, so the first
// separator in the key is the first join. A field without either character is unchanged.
inline std::string escape_holder_field(std::string_view field, char separator) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(field.size());
  for (const char c : field) {
    if (c == '%' || c == separator) {
      const auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0f];
    } else {
      out += c;
    }
  }
  return out;
}

// The state a checkout decision is made against, read by the host inside the storage
// transaction that will record the outcome.
struct CheckoutContext {
  const ProductInfo* product = nullptr;
  std::int64_t license_units = 0;  // units the license owns
  std::int64_t units_in_use = 0;   // units held by live leases of this license, all holders
  std::int64_t units_requested = 1;
  bool holder_has_lease = false;  // the holder key already holds a live lease
  std::int64_t holder_units = 0;  // units of that lease, when it exists
  std::int64_t now_unix_ms = 0;
};

struct CheckoutDecision {
  enum class Verdict : std::uint8_t { grant, reuse, deny };
  Verdict verdict = Verdict::deny;
  Denial denial = Denial::no_seats;  // when verdict == deny
  std::string message;               // when verdict == deny
  std::int64_t units = 0;            // units the lease takes, when verdict == grant
};

// One product setting a family accepts (ABI 1.1). The daemon checks every product's settings
// against its family's schema when it loads a config, and reports a problem at the setting's own
// file:line:column, before the family sees the product.
struct SettingSpec {
  enum class Type : std::uint8_t { integer, boolean, text };
  std::string key;
  Type type = Type::integer;
  std::int64_t min = 0;  // integers only: the accepted range, inclusive
  std::int64_t max = 0;
  std::string description;  // one line, for error messages and `lmpd --check-config`
};

enum class LogLevel : std::uint8_t { debug, info, warning, error };

// Services the daemon lends a family. Owned by the daemon and valid for the family's lifetime.
// Thread safety: every method may be called from any thread.
class Host {
 public:
  virtual ~Host() = default;
  // One log line attributed to the family; `event` is a stable snake_case name.
  virtual void log(LogLevel level, std::string_view event, std::string_view message) = 0;
  // The daemon's clock (injectable in tests): Unix time in milliseconds.
  virtual std::int64_t now_unix_ms() = 0;
};

// A product family. The daemon creates one instance per loaded plugin. identify_holder and
// decide_checkout are called from the daemon's storage thread only; check_product and lease_terms
// run when a config is loaded or reloaded, possibly on another thread, so they must not touch
// state the checkout calls change. A family that keeps no mutable state needs no locking.
// Methods may throw: the daemon catches every exception, fails that one request with `internal`
// and logs it, but a family should prefer returning a denial for expected failures.
class Family {
 public:
  virtual ~Family() = default;
  Family() = default;
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  // Checked once per product at config load; a non-empty result rejects the config and is
  // reported with the product's position.
  virtual std::string check_product(const ProductInfo& product) const = 0;

  // Lease duration and advised heartbeat for the product's leases.
  virtual LeaseTerms lease_terms(const ProductInfo& product) const = 0;

  // Who holds a lease made by this request; decides idempotence and which fields are required.
  virtual HolderIdentity identify_holder(const ProductInfo& product,
                                         const HolderRequest& request) const = 0;

  // Grant a new lease, reuse the holder's lease (extended), or deny.
  virtual CheckoutDecision decide_checkout(const CheckoutContext& context) const = 0;

  // ---- ABI 1.1. The daemon calls these only on plugins whose descriptor says minor 1 or newer:
  // an older plugin's vtable ends above. New methods are only ever appended here.

  // The settings a product of this family may carry. nullopt: the family checks its settings
  // itself in check_product, as 1.0 families do; an empty list: it accepts none.
  virtual std::optional<std::vector<SettingSpec>> settings_schema() const { return std::nullopt; }

  // How many percent above its units a license of this product may have in use (an overage
  // allowance, as SaaS subscriptions often grant). The daemon re-checks every grant against
  // units + units * percent / 100, so decide_checkout cannot go beyond it either.
  virtual std::int64_t overage_percent(const ProductInfo& product) const {
    (void)product;
    return 0;
  }

  // Whether this product's checkouts are permanent allocations rather than sessions (encryption
  // keys, node-locked installs): such a lease never expires, needs no heartbeat, and holds its
  // units until it is checked in. lease_terms() then only gives the advised heartbeat.
  virtual bool permanent(const ProductInfo& product) const {
    (void)product;
    return false;
  }
};

// The protocol spelling of a unit type.
inline std::string_view to_string(UnitType unit) {
  switch (unit) {
    case UnitType::seats:
      return "seats";
    case UnitType::endpoints:
      return "endpoints";
    case UnitType::users:
      return "users";
    case UnitType::encryption_keys:
      return "encryption_keys";
  }
  return "seats";
}

}  // namespace lmp::sdk
