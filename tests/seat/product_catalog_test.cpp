// Binding products to families: settings checked against each family's schema with the setting's
// own position, and ABI 1.1 methods asked only of plugins built against 1.1.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "config/config_loader.hpp"
#include "core/clock.hpp"
#include "plugin/daemon_host.hpp"
#include "plugin/registry.hpp"
#include "seat/product_catalog.hpp"

namespace lmp::test {
namespace {

// A family whose 1.1 answers are impossible to miss: it accepts no settings at all and grants
// a 50 % overage. Registered once as a 1.0 plugin and once as a 1.1 one.
class StrictFamily final : public sdk::Family {
 public:
  std::string check_product(const sdk::ProductInfo&) const override { return {}; }
  sdk::LeaseTerms lease_terms(const sdk::ProductInfo&) const override { return {300, 60}; }
  sdk::HolderIdentity identify_holder(const sdk::ProductInfo&,
                                      const sdk::HolderRequest&) const override {
    return {};
  }
  sdk::CheckoutDecision decide_checkout(const sdk::CheckoutContext&) const override { return {}; }
  std::optional<std::vector<sdk::SettingSpec>> settings_schema() const override {
    return std::vector<sdk::SettingSpec>{};
  }
  std::int64_t overage_percent(const sdk::ProductInfo&) const override { return 50; }
};

class ProductCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<plugin::LoadFailure> failures;
    registry_.load_directory(LMP_TEST_PLUGIN_DIR, host_, failures);
    ASSERT_TRUE(failures.empty());
    registry_.add({"strict_old", "1", "in-process", std::make_shared<StrictFamily>(), 0});
    registry_.add({"strict_new", "1", "in-process", std::make_shared<StrictFamily>(), 1});
  }

  // Builds a catalog from `products` (YAML list items); returns the errors.
  std::vector<std::string> build(const std::string& products) {
    auto loaded = config::load_string("products:\n" + products, "p.yaml", "/etc/lmpd");
    EXPECT_TRUE(loaded.ok());
    if (!loaded.ok()) return {"config did not load"};
    std::vector<std::string> errors;
    catalog_ = seat::ProductCatalog::build(*loaded.config, registry_, errors);
    return errors;
  }

  ManualClock clock_{1'800'000'000'000};
  plugin::DaemonHost host_{clock_};
  plugin::FamilyRegistry registry_;
  std::shared_ptr<const seat::ProductCatalog> catalog_;
};

TEST_F(ProductCatalogTest, UnknownSettingIsReportedAtItsPositionWithTheAcceptedOnes) {
  EXPECT_EQ(build("  - code: crm\n    name: CRM\n    family: saas\n    unit: users\n"
                  "    settings:\n      inactivity_days: 7\n      seats_per_user: 2\n"),
            std::vector<std::string>{
                "p.yaml:8:7: product 'crm': unknown setting 'seats_per_user' for family saas "
                "(accepted: inactivity_days, overage_percent)"});
  EXPECT_EQ(catalog_->find("crm"), nullptr);
}

TEST_F(ProductCatalogTest, ValuesAreCheckedAgainstTheSchemaBeforeTheFamilySeesThem) {
  EXPECT_EQ(build("  - code: crm\n    name: CRM\n    family: saas\n    unit: users\n"
                  "    settings: {inactivity_days: 0, overage_percent: ten}\n"
                  "  - code: cad\n    name: CAD\n    family: software\n    unit: seats\n"
                  "    settings:\n      lease_seconds: 604801\n"),
            (std::vector<std::string>{
                "p.yaml:6:16: product 'crm': setting 'inactivity_days' must be an integer from 1 "
                "to 365, not '0'",
                "p.yaml:6:36: product 'crm': setting 'overage_percent' must be an integer from 0 "
                "to 100, not 'ten'",
                "p.yaml:12:7: product 'cad': setting 'lease_seconds' must be an integer from 10 "
                "to 604800, not '604801'"}));
}

TEST_F(ProductCatalogTest, SaasLeaseLastsTheInactivityPeriodAndItsOverageRaisesTheCeiling) {
  ASSERT_EQ(build("  - code: crm\n    name: CRM\n    family: saas\n    unit: users\n"
                  "    settings: {inactivity_days: 14, overage_percent: 10}\n"
                  "  - code: mail\n    name: Mail\n    family: saas\n    unit: users\n"),
            std::vector<std::string>{});
  const auto* crm = catalog_->find("crm");
  ASSERT_NE(crm, nullptr);
  EXPECT_EQ(crm->terms.lease_seconds, 14 * 86400);
  EXPECT_EQ(crm->terms.heartbeat_seconds, 86400);
  EXPECT_EQ(crm->unit_ceiling(20), 22);
  EXPECT_EQ(crm->unit_ceiling(5), 5);  // 10 % of 5 rounds down to no extra user
  const auto* mail = catalog_->find("mail");
  ASSERT_NE(mail, nullptr);
  EXPECT_EQ(mail->terms.lease_seconds, 30 * 86400);  // the default period
  EXPECT_EQ(mail->unit_ceiling(20), 20);
}

TEST_F(ProductCatalogTest, SaasCountsUsersOnly) {
  EXPECT_EQ(
      build("  - code: crm\n    name: CRM\n    family: saas\n    unit: seats\n"),
      std::vector<std::string>{"p.yaml:2:5: product 'crm': family saas counts users, not seats"});
}

TEST_F(ProductCatalogTest, PluginsBuiltAgainstAbi10AreNotAskedAbi11Questions) {
  // Were the daemon to call settings_schema() on the 1.0 plugin, its empty schema would refuse
  // the setting; were it to call overage_percent(), the ceiling would rise.
  ASSERT_EQ(build("  - code: old\n    name: Old\n    family: strict_old\n    unit: seats\n"
                  "    settings: {anything: 1}\n"),
            std::vector<std::string>{});
  EXPECT_EQ(catalog_->find("old")->unit_ceiling(10), 10);

  EXPECT_EQ(build("  - code: new\n    name: New\n    family: strict_new\n    unit: seats\n"
                  "    settings: {anything: 1}\n"),
            std::vector<std::string>{"p.yaml:6:16: product 'new': unknown setting 'anything' for "
                                     "family strict_new (accepted: none)"});
  ASSERT_EQ(build("  - code: new\n    name: New\n    family: strict_new\n    unit: seats\n"),
            std::vector<std::string>{});
  EXPECT_EQ(catalog_->find("new")->unit_ceiling(10), 15);
}

}  // namespace
}  // namespace lmp::test
