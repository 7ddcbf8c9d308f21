// A family built outside the lmpd tree against the installed SDK. It lives in a named namespace so
// the test can check that the helper's hidden visibility keeps its classes unexported.
#include <lmp/sdk/plugin.hpp>
#include <string>

namespace consumer {

class ConsumerFamily final : public lmp::sdk::Family {
 public:
  explicit ConsumerFamily(lmp::sdk::Host& host) : host_(host) {}

  std::string check_product(const lmp::sdk::ProductInfo& product) const override {
    return product.settings.empty() ? "" : "family consumer takes no settings";
  }

  lmp::sdk::LeaseTerms lease_terms(const lmp::sdk::ProductInfo& product) const override {
    return {product.default_lease_seconds, product.default_heartbeat_seconds};
  }

  lmp::sdk::HolderIdentity identify_holder(const lmp::sdk::ProductInfo&,
                                           const lmp::sdk::HolderRequest& request) const override {
    lmp::sdk::HolderIdentity identity;
    identity.key = std::string(request.host);
    return identity;
  }

  lmp::sdk::CheckoutDecision decide_checkout(
      const lmp::sdk::CheckoutContext& context) const override {
    lmp::sdk::CheckoutDecision decision;
    if (context.units_in_use + context.units_requested <= context.license_units) {
      decision.verdict = lmp::sdk::CheckoutDecision::Verdict::grant;
      decision.denial = lmp::sdk::Denial::none;
      decision.units = context.units_requested;
    }
    // Proves the Host handed over at creation is the daemon's and still callable.
    host_.log(lmp::sdk::LogLevel::info, "consumer_decided", "decided");
    return decision;
  }

 private:
  lmp::sdk::Host& host_;
};

}  // namespace consumer

using consumer::ConsumerFamily;
LMP_DECLARE_FAMILY_PLUGIN(ConsumerFamily, "consumer", "0.1.0")
