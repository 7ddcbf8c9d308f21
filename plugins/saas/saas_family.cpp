// The `saas` family: hosted services counted in named users. A user's seat stays assigned across
// sessions until it is checked in or the user has been inactive for a number of days, and a
// license may run over its units by a configured allowance.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "decisions.hpp"
#include "lmp/sdk/plugin.hpp"
#include "product_settings.hpp"

namespace {

namespace sdk = lmp::sdk;
using lmp::plugins::holder_by_unit;
using lmp::plugins::integer_setting;
using lmp::plugins::integer_spec;
using lmp::plugins::reuse_lease;

constexpr std::string_view kInactivitySetting = "inactivity_days";
constexpr std::string_view kOverageSetting = "overage_percent";
// Thirty days is what SaaS vendors commonly reclaim an idle named-user seat after.
constexpr std::int64_t kDefaultInactivityDays = 30;
constexpr std::int64_t kSecondsPerDay = 86400;

class SaasFamily final : public sdk::Family {
 public:
  explicit SaasFamily(sdk::Host& host) : host_(host) {}

  std::string check_product(const sdk::ProductInfo& product) const override {
    if (product.unit != sdk::UnitType::users)
      return "family saas counts users, not " + std::string(sdk::to_string(product.unit));
    return {};
  }

  // A seat is held for the whole inactivity period: every checkout or heartbeat by the user
  // starts it again, and nothing needs to beat in between. The advised heartbeat (a day, or half
  // the period when that is shorter) only keeps an always-on client from idling out.
  sdk::LeaseTerms lease_terms(const sdk::ProductInfo& product) const override {
    sdk::LeaseTerms terms;
    terms.lease_seconds =
        integer_setting(product, kInactivitySetting, kDefaultInactivityDays) * kSecondsPerDay;
    terms.heartbeat_seconds = std::min(kSecondsPerDay, terms.lease_seconds / 2);
    return terms;
  }

  sdk::HolderIdentity identify_holder(const sdk::ProductInfo&,
                                      const sdk::HolderRequest& request) const override {
    return holder_by_unit(sdk::UnitType::users, request);
  }

  sdk::CheckoutDecision decide_checkout(const sdk::CheckoutContext& context) const override {
    if (context.holder_has_lease) return reuse_lease(context);
    sdk::CheckoutDecision decision;
    const std::int64_t allowance = context.license_units * overage_percent(*context.product) / 100;
    if (context.units_in_use < context.license_units + allowance) {
      decision.verdict = sdk::CheckoutDecision::Verdict::grant;
      decision.denial = sdk::Denial::none;
      decision.units = 1;
      // Inside the allowance the user is served and the overage is worth a line in the log
      // (STATUS reports it too), so the site sees it before the vendor's true-up does.
      if (context.units_in_use >= context.license_units)
        host_.log(sdk::LogLevel::info, "saas_overage",
                  "product " + context.product->code + ": " +
                      std::to_string(context.units_in_use + 1 - context.license_units) +
                      " users over the " + std::to_string(context.license_units) + " licensed");
      return decision;
    }
    decision.denial = sdk::Denial::no_seats;
    decision.message = "all " + std::to_string(context.license_units) + " users in use";
    if (allowance > 0)
      decision.message += ", and the overage allowance of " + std::to_string(allowance);
    return decision;
  }

  std::optional<std::vector<sdk::SettingSpec>> settings_schema() const override {
    return std::vector<sdk::SettingSpec>{
        integer_spec(std::string(kInactivitySetting), 1, 365,
                     "days without checkout or heartbeat after which a user's seat is freed"),
        integer_spec(std::string(kOverageSetting), 0, 100,
                     "percent of the licensed users that may be used beyond them")};
  }

  std::int64_t overage_percent(const sdk::ProductInfo& product) const override {
    return integer_setting(product, kOverageSetting, 0);
  }

 private:
  sdk::Host& host_;
};

}  // namespace

LMP_DECLARE_FAMILY_PLUGIN(SaasFamily, "saas", "1.0.0")
