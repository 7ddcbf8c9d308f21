// An example third-party family, `token`: a license is a pool of tokens, and each checkout
// draws as many as the job asks for (a render job, a simulation run) for the lease's lifetime.
// No holder ties two checkouts together; a product may cap the tokens one checkout draws.
#include <lmp/sdk/plugin.hpp>

#include <charconv>
#include <cstdint>
#include <string>

namespace {

namespace sdk = lmp::sdk;

constexpr const char* kCapSetting = "max_tokens_per_checkout";

std::int64_t cap_of(const sdk::ProductInfo& product) {
  auto it = product.settings.find(kCapSetting);
  if (it == product.settings.end()) return INT64_MAX;
  std::int64_t cap = INT64_MAX;
  std::from_chars(it->second.data(), it->second.data() + it->second.size(), cap);
  return cap;  // the daemon has checked it against settings_schema()
}

class TokenFamily final : public sdk::Family {
 public:
  explicit TokenFamily(sdk::Host& host) : host_(host) {}

  std::string check_product(const sdk::ProductInfo& product) const override {
    if (product.unit != sdk::UnitType::seats) return "family token counts seats (its tokens)";
    return {};
  }

  sdk::LeaseTerms lease_terms(const sdk::ProductInfo& product) const override {
    return {product.default_lease_seconds, product.default_heartbeat_seconds};
  }

  sdk::HolderIdentity identify_holder(const sdk::ProductInfo& product,
                                      const sdk::HolderRequest& request) const override {
    sdk::HolderIdentity identity;  // no key: every checkout is a draw of its own
    if (request.units_requested < 1 || request.units_requested > cap_of(product)) {
      identity.denial = sdk::Denial::bad_request;
      identity.message = "a checkout draws 1 to " + std::to_string(cap_of(product)) + " tokens";
    }
    return identity;
  }

  sdk::CheckoutDecision decide_checkout(const sdk::CheckoutContext& context) const override {
    sdk::CheckoutDecision decision;
    const std::int64_t left = context.license_units - context.units_in_use;
    if (context.units_requested <= left) {
      decision.verdict = sdk::CheckoutDecision::Verdict::grant;
      decision.denial = sdk::Denial::none;
      decision.units = context.units_requested;
      return decision;
    }
    decision.message = std::to_string(left) + " tokens left, " +
                       std::to_string(context.units_requested) + " asked for";
    host_.log(sdk::LogLevel::info, "tokens_exhausted", decision.message);
    return decision;
  }

  std::optional<std::vector<sdk::SettingSpec>> settings_schema() const override {
    sdk::SettingSpec cap;
    cap.key = kCapSetting;
    cap.type = sdk::SettingSpec::Type::integer;
    cap.min = 1;
    cap.max = 1000000;
    cap.description = "most tokens one checkout may draw";
    return std::vector<sdk::SettingSpec>{cap};
  }

 private:
  sdk::Host& host_;
};

}  // namespace

LMP_DECLARE_FAMILY_PLUGIN(TokenFamily, "token", "1.0.0")
