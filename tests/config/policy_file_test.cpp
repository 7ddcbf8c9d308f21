// The site policy file's reader: YAML policies read as the admin API reads their JSON, with every
// problem at the file's line and column, and the positions of the parts the database checks.
#include <gtest/gtest.h>

#include "config/policy_file.hpp"

namespace lmp::config {
namespace {

std::string all_errors(const PolicyFile& file) {
  std::string out;
  for (const auto& e : file.errors) out += e.to_string() + "\n";
  return out;
}

TEST(PolicyFile, ReadsEachCustomersPoliciesAsTheApiReadsThem) {
  const auto file = load_policy_string(R"(policies:
  - customer: 7
    product: cad
    groups:
      design: {users: [ann, "007"], addresses: [10.1.0.0/16]}
    include: [group:design]
    max:
      - {for: "user:*", units: 2}
    linger: 30
  - customer: fabrikam
    exclude: [host:kiosk]
)",
                                       "policy.yaml");
  ASSERT_TRUE(file.ok()) << all_errors(file);
  ASSERT_EQ(file.policies.size(), 2u);
  const auto& cad = file.policies[0];
  EXPECT_EQ(cad.customer_id, 7);
  EXPECT_TRUE(cad.customer_name.empty());
  EXPECT_EQ(cad.policy.product, "cad");
  ASSERT_EQ(cad.policy.groups.size(), 1u);
  EXPECT_EQ(cad.policy.groups[0].users, (std::vector<std::string>{"ann", "007"}));
  ASSERT_EQ(cad.policy.max.size(), 1u);
  EXPECT_EQ(cad.policy.max[0].units, 2);
  EXPECT_EQ(cad.policy.linger_seconds, 30);
  EXPECT_EQ(file.policies[1].customer_name, "fabrikam");
  EXPECT_EQ(file.policies[1].policy.product, "");
  // Where a problem the database finds would be told: at the part, or the nearest one written.
  EXPECT_EQ(file.position_of(0, "max[0].units").line, 8);
  EXPECT_EQ(file.position_of(0, "max[0].units").column, 25);
  EXPECT_EQ(file.position_of(0, "reserve").line, 2);  // not written: the entry
  EXPECT_EQ(file.position_of(1, "customer").line, 10);
}

TEST(PolicyFile, NamesEveryProblemAtItsLineAndColumn) {
  const auto file = load_policy_string(R"(policies:
  - customer: 7
    groups:
      net: {addresses: [10.0.0.0/40]}
    include: [group:ghost]
    max:
      - {for: "user:*", units: -3}
    linger: 99999999
  - product: cad
  - customer: 8
    colour: blue
    exclude: [host:a]
    exclude: [host:b]
)",
                                       "policy.yaml");
  ASSERT_FALSE(file.ok());
  EXPECT_TRUE(file.policies.empty());
  const std::string text = all_errors(file);
  for (const char* expected : {
           "policy.yaml:4:25: policies[0].groups.net.addresses[0]: malformed CIDR",
           "policy.yaml:5:15: policies[0].include[0]: unknown group \"ghost\"",
           "policy.yaml:7:25: policies[0].max[0].units: must be 0 to 1000000, not -3",
           "policy.yaml:8:5: policies[0].linger: must be 0 to 86400, not 99999999",
           "policy.yaml:9:5: policies[1]: missing key 'customer'",
           "policy.yaml:11:5: policies[2].colour:",
           "policy.yaml:13:5: duplicate key 'exclude'",
       })
    EXPECT_NE(text.find(expected), std::string::npos) << expected << " in:\n" << text;
  // In file order.
  EXPECT_LT(text.find(":4:25:"), text.find(":5:15:")) << text;
  EXPECT_LT(text.find(":8:5:"), text.find(":13:5:")) << text;
}

TEST(PolicyFile, ABrokenOrMissingFileIsOneError) {
  const auto syntax = load_policy_string("policies:\n  - customer: [7\n", "policy.yaml");
  ASSERT_EQ(syntax.errors.size(), 1u) << all_errors(syntax);
  EXPECT_EQ(syntax.errors[0].position.file, "policy.yaml");
  EXPECT_GT(syntax.errors[0].position.line, 0);
  const auto missing = load_policy_file("/nonexistent/policy.yaml");
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_NE(missing.errors[0].to_string().find("/nonexistent/policy.yaml: cannot read file"),
            std::string::npos)
      << missing.errors[0].to_string();
}

}  // namespace
}  // namespace lmp::config
