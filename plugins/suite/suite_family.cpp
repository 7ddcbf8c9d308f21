// The `suite` family: one license for several component products (listed in the product's
// `components:`). A holder uses one unit of the suite however many of its components it checks
// out, because the daemon keys a suite's leases by the suite, not the component.
#include <algorithm>
#include <cstdint>
#include <string>

#include "decisions.hpp"
#include "lmp/sdk/plugin.hpp"
#include "product_settings.hpp"

namespace {

namespace sdk = lmp::sdk;
using lmp::plugins::grant_if_free;
using lmp::plugins::holder_by_unit;
using lmp::plugins::integer_setting;
using lmp::plugins::integer_spec;

constexpr const char* kLeaseSetting = "lease_seconds";

class SuiteFamily final : public sdk::Family {
 public:
  explicit SuiteFamily(sdk::Host&) {}

  std::string check_product(const sdk::ProductInfo& product) const override {
    if (product.unit == sdk::UnitType::encryption_keys)
      return "family suite counts seats, endpoints or users, not encryption_keys";
    return {};
  }

  sdk::LeaseTerms lease_terms(const sdk::ProductInfo& product) const override {
    sdk::LeaseTerms terms;
    terms.lease_seconds = integer_setting(product, kLeaseSetting, product.default_lease_seconds);
    terms.heartbeat_seconds = product.default_heartbeat_seconds < terms.lease_seconds
                                  ? product.default_heartbeat_seconds
                                  : std::max<std::int64_t>(1, terms.lease_seconds / 3);
    return terms;
  }

  sdk::HolderIdentity identify_holder(const sdk::ProductInfo& product,
                                      const sdk::HolderRequest& request) const override {
    return holder_by_unit(product.unit, request);
  }

  sdk::CheckoutDecision decide_checkout(const sdk::CheckoutContext& context) const override {
    return grant_if_free(context);
  }

  std::optional<std::vector<sdk::SettingSpec>> settings_schema() const override {
    return std::vector<sdk::SettingSpec>{
        integer_spec(kLeaseSetting, 10, 604800, "seconds a lease lives without a heartbeat")};
  }
};

}  // namespace

LMP_DECLARE_FAMILY_PLUGIN(SuiteFamily, "suite", "1.0.0")
