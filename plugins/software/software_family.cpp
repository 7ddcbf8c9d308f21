// The `software` family: licenses for installed software, counted in seats (concurrent users,
// grouped per user and host) or endpoints (one unit per machine).
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "decisions.hpp"
#include "lmp/sdk/plugin.hpp"
#include "product_settings.hpp"

namespace {

namespace sdk = lmp::sdk;
using lmp::plugins::deny_holder;
using lmp::plugins::find_setting;
using lmp::plugins::grant_if_free;
using lmp::plugins::holder_by_unit;
using lmp::plugins::integer_spec;
using lmp::plugins::parse_integer;

constexpr std::string_view kLeaseSetting = "lease_seconds";
constexpr std::string_view kHeartbeatSetting = "heartbeat_seconds";
constexpr std::string_view kPermanentSetting = "permanent";
// Below ten seconds heartbeats would dominate the server's load; beyond a week a crashed
// client's seat would stay taken for longer than any administrator would wait.
constexpr std::int64_t kMinLeaseSeconds = 10;
constexpr std::int64_t kMaxLeaseSeconds = 604800;

struct Overrides {
  std::optional<std::int64_t> lease_seconds;
  std::optional<std::int64_t> heartbeat_seconds;
};

// Reads the product's settings into `out`; returns the first problem, empty when there is none.
// The daemon has checked names and ranges against settings_schema(); what is left is the rule
// between the two settings.
std::string read_overrides(const sdk::ProductInfo& product, Overrides& out) {
  if (const std::string* text = find_setting(product, kLeaseSetting)) {
    const auto value = parse_integer(*text);
    if (!value || *value < kMinLeaseSeconds || *value > kMaxLeaseSeconds) {
      return "lease_seconds must be an integer from " + std::to_string(kMinLeaseSeconds) + " to " +
             std::to_string(kMaxLeaseSeconds) + ", not '" + *text + "'";
    }
    out.lease_seconds = value;
  }
  // A heartbeat must come before the lease runs out, or every lease would lapse between beats.
  const std::int64_t lease = out.lease_seconds.value_or(product.default_lease_seconds);
  if (const std::string* text = find_setting(product, kHeartbeatSetting)) {
    const auto value = parse_integer(*text);
    if (!value || *value < 1 || *value >= lease) {
      return "heartbeat_seconds must be an integer from 1 to " + std::to_string(lease - 1) +
             " (below the " + std::to_string(lease) + "-second lease), not '" + *text + "'";
    }
    out.heartbeat_seconds = value;
  }
  return {};
}

std::string unit_message(sdk::UnitType unit) {
  return "family software counts seats, endpoints or encryption_keys, not " +
         std::string(sdk::to_string(unit));
}

// Encryption keys are allocations, not sessions, unless the product says otherwise; any other
// unit becomes permanent with `permanent: true` (node-locked installs).
bool is_permanent(const sdk::ProductInfo& product) {
  if (const std::string* text = find_setting(product, kPermanentSetting)) return *text == "true";
  return product.unit == sdk::UnitType::encryption_keys;
}

class SoftwareFamily final : public sdk::Family {
 public:
  explicit SoftwareFamily(sdk::Host& host) : host_(host) {}

  std::string check_product(const sdk::ProductInfo& product) const override {
    if (product.unit == sdk::UnitType::users) return unit_message(product.unit);
    Overrides overrides;
    return read_overrides(product, overrides);
  }

  sdk::LeaseTerms lease_terms(const sdk::ProductInfo& product) const override {
    // check_product has accepted the settings; read_overrides keeps whatever parsed, so a
    // product that was never checked still gets the site defaults rather than garbage.
    Overrides overrides;
    read_overrides(product, overrides);
    sdk::LeaseTerms terms;
    terms.lease_seconds = overrides.lease_seconds.value_or(product.default_lease_seconds);
    if (overrides.heartbeat_seconds) {
      terms.heartbeat_seconds = *overrides.heartbeat_seconds;
    } else if (product.default_heartbeat_seconds < terms.lease_seconds) {
      terms.heartbeat_seconds = product.default_heartbeat_seconds;
    } else {
      // A product lease shorter than the site's heartbeat: three beats per lease survive one
      // lost beat.
      terms.heartbeat_seconds = std::max<std::int64_t>(1, terms.lease_seconds / 3);
    }
    return terms;
  }

  sdk::HolderIdentity identify_holder(const sdk::ProductInfo& product,
                                      const sdk::HolderRequest& request) const override {
    switch (product.unit) {
      case sdk::UnitType::seats:
      case sdk::UnitType::endpoints:
        return holder_by_unit(product.unit, request);
      case sdk::UnitType::encryption_keys: {
        // Every checkout is a key of its own: two keys for the same host are two allocations.
        if (request.units_requested < 1)
          return deny_holder(sdk::Denial::bad_request, "units must be at least 1");
        return {};
      }
      case sdk::UnitType::users:
        break;
    }
    return deny_holder(sdk::Denial::product_not_licensed, unit_message(product.unit));
  }

  sdk::CheckoutDecision decide_checkout(const sdk::CheckoutContext& context) const override {
    return grant_if_free(context);
  }

  std::optional<std::vector<sdk::SettingSpec>> settings_schema() const override {
    return std::vector<sdk::SettingSpec>{
        integer_spec(std::string(kLeaseSetting), kMinLeaseSeconds, kMaxLeaseSeconds,
                     "seconds a lease lives without a heartbeat"),
        integer_spec(std::string(kHeartbeatSetting), 1, kMaxLeaseSeconds - 1,
                     "heartbeat interval the server advises, below lease_seconds"),
        lmp::plugins::boolean_spec(std::string(kPermanentSetting),
                                   "checkouts never expire and stay until checked in")};
  }

  bool permanent(const sdk::ProductInfo& product) const override { return is_permanent(product); }

 private:
  // Held for the life of the family: the daemon's clock and log are where future rules (time-of-day
  // limits, borrow periods) will come from.
  [[maybe_unused]] sdk::Host& host_;
};

}  // namespace

LMP_DECLARE_FAMILY_PLUGIN(SoftwareFamily, "software", "1.0.0")
