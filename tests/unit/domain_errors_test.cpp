// The one table of the domain's refusals over HTTP: every reason has a status and a code, and
// only wrong guesses at a registration key charge the invalid-code budget.
#include "http/domain_errors.hpp"

#include <gtest/gtest.h>

namespace lmp {
namespace {

using domain::ErrorCode;

TEST(DomainErrors, EveryReasonHasAnHttpStatusAndCode) {
  for (const auto& [code, name] : domain::EnumNames<ErrorCode>::kNames) {
    const auto& refusal = http::http_refusal(code);
    EXPECT_GE(refusal.status, 400) << name;
    EXPECT_LT(refusal.status, 500) << name;
    EXPECT_FALSE(refusal.code.empty()) << name;
    // The guessable secrets: registration keys, and the tokens typed into the console's login.
    EXPECT_EQ(refusal.wrong_guess, code == ErrorCode::invalid_key ||
                                       code == ErrorCode::key_unknown ||
                                       code == ErrorCode::unauthorized)
        << name;
  }
}

TEST(DomainErrors, AProductAtEndOfLifeIsForbiddenAndItsKeysConflict) {
  EXPECT_EQ(http::http_refusal(ErrorCode::end_of_life).status, 403);
  EXPECT_EQ(http::http_refusal(ErrorCode::key_end_of_life).status, 409);
  EXPECT_EQ(http::http_refusal(ErrorCode::key_end_of_life).code, "end_of_life");
}

TEST(DomainErrors, TheAnswerCarriesTheCodeAndTheMessage) {
  const auto response =
      http::error_response(domain::DomainError(ErrorCode::end_of_sale, "product cad is past it"));
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(response.body,
            R"({"error":{"code":"end_of_sale","message":"product cad is past it"}})");
}

}  // namespace
}  // namespace lmp
