// A family that accepts everything, for the broken test plugins whose defect lies elsewhere
// (descriptor, entry points, factory): the loader must refuse them before this code matters.
#pragma once

#include <string>

#include "lmp/sdk/plugin.hpp"

namespace lmp_test {

class MinimalFamily final : public lmp::sdk::Family {
 public:
  explicit MinimalFamily(lmp::sdk::Host&) {}
  std::string check_product(const lmp::sdk::ProductInfo&) const override { return {}; }
  lmp::sdk::LeaseTerms lease_terms(const lmp::sdk::ProductInfo& product) const override {
    return {product.default_lease_seconds, product.default_heartbeat_seconds};
  }
  lmp::sdk::HolderIdentity identify_holder(const lmp::sdk::ProductInfo&,
                                           const lmp::sdk::HolderRequest&) const override {
    return {};
  }
  lmp::sdk::CheckoutDecision decide_checkout(const lmp::sdk::CheckoutContext&) const override {
    return {};
  }
};

}  // namespace lmp_test

// The two entry points every variant that keeps them shares.
#define LMP_TEST_CREATE_ENTRY                                                                  \
  extern "C" LMP_PLUGIN_EXPORT ::lmp::sdk::Family* lmp_plugin_create(::lmp::sdk::Host* host) { \
    return new ::lmp_test::MinimalFamily(*host);                                               \
  }
#define LMP_TEST_DESTROY_ENTRY                                                       \
  extern "C" LMP_PLUGIN_EXPORT void lmp_plugin_destroy(::lmp::sdk::Family* family) { \
    delete family;                                                                   \
  }
