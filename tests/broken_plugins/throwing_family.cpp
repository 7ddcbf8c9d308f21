// A valid plugin of family "throwing" whose per-request calls throw: end-to-end tests point the
// daemon at it to prove a plugin exception fails that one request with `internal`.
#include <stdexcept>
#include <string>

#include "lmp/sdk/plugin.hpp"

namespace {

namespace sdk = lmp::sdk;

class ThrowingFamily final : public sdk::Family {
 public:
  explicit ThrowingFamily(sdk::Host&) {}

  // Accepts any product, so a config naming this family loads and requests reach the throws.
  std::string check_product(const sdk::ProductInfo&) const override { return {}; }

  sdk::LeaseTerms lease_terms(const sdk::ProductInfo& product) const override {
    return {product.default_lease_seconds, product.default_heartbeat_seconds};
  }

  sdk::HolderIdentity identify_holder(const sdk::ProductInfo&,
                                      const sdk::HolderRequest&) const override {
    throw std::runtime_error("throwing family: identify_holder failed");
  }

  sdk::CheckoutDecision decide_checkout(const sdk::CheckoutContext&) const override {
    throw std::runtime_error("throwing family: decide_checkout failed");
  }
};

}  // namespace

LMP_DECLARE_FAMILY_PLUGIN(ThrowingFamily, "throwing", "1.0.0")
