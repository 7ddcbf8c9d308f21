// The account a usage record names, read from its customer's scope.
#include <gtest/gtest.h>

#include "domain/usage_record.hpp"

namespace lmp::domain {
namespace {

TEST(UsageRecord, TheAccountIsTheLastOneOnTheCustomersPath) {
  EXPECT_EQ(account_of_scope("/1/2/c7/"), 2);
  EXPECT_EQ(account_of_scope("/1/c12/"), 1);
  EXPECT_EQ(account_of_scope("/1/20/300/c4/"), 300);
  // A customer made before the first run has no account.
  EXPECT_EQ(account_of_scope("/c7/"), std::nullopt);
  EXPECT_EQ(account_of_scope(""), std::nullopt);
  EXPECT_EQ(account_of_scope("/1/x/c7/"), std::nullopt);
}

}  // namespace
}  // namespace lmp::domain
