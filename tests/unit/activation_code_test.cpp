// Activation codes: generation, display form and normalization of typed input.
#include "core/activation_code.hpp"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

#include "core/damm.hpp"

namespace {

namespace ac = lmp::activation_code;

// A fixed valid code; its check digit is computed (the Damm vectors are tested on their own) so
// these tests are about the code format, not the arithmetic.
std::string valid_code() {
  std::string body = "1234567890123456789";
  return body + static_cast<char>('0' + lmp::damm::check_digit(body));
}

TEST(ActivationCode, GenerateGivesValidDistinctCodes) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string code = ac::generate();
    ASSERT_EQ(code.size(), 20u);
    for (char c : code) ASSERT_TRUE(c >= '0' && c <= '9') << code;
    ASSERT_TRUE(lmp::damm::is_valid(code)) << code;
    seen.insert(code);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(ActivationCode, FormatAndNormalizeRoundTrip) {
  const std::string code = valid_code();
  const std::string shown = ac::format(code);
  EXPECT_EQ(shown, code.substr(0, 5) + "-" + code.substr(5, 5) + "-" + code.substr(10, 5) + "-" +
                       code.substr(15, 5));
  EXPECT_EQ(ac::normalize(shown), code);
  EXPECT_EQ(ac::normalize(code), code);
  EXPECT_EQ(ac::format("12345678901234567890"), "12345-67890-12345-67890");
  for (int i = 0; i < 50; ++i) {
    const std::string fresh = ac::generate();
    EXPECT_EQ(ac::normalize(ac::format(fresh)), fresh);
  }
}

TEST(ActivationCode, NormalizeIgnoresHyphensAndSpacesAnywhere) {
  const std::string code = valid_code();
  const std::string spaced = code.substr(0, 5) + " " + code.substr(5, 5) + " " +
                             code.substr(10, 5) + " " + code.substr(15, 5);
  EXPECT_EQ(ac::normalize(spaced), code);
  EXPECT_EQ(ac::normalize(" -" + code.substr(0, 3) + "--" + code.substr(3) + "- "), code);
}

TEST(ActivationCode, NormalizeRejectsOtherCharacters) {
  const std::string code = valid_code();
  EXPECT_EQ(ac::normalize(code.substr(0, 10) + "a" + code.substr(10)), std::nullopt);
  EXPECT_EQ(ac::normalize(code + "x"), std::nullopt);
  EXPECT_EQ(ac::normalize(code.substr(0, 10) + "\t" + code.substr(10)), std::nullopt);
  EXPECT_EQ(ac::normalize(code.substr(0, 10) + "_" + code.substr(10)), std::nullopt);
  EXPECT_EQ(ac::normalize(""), std::nullopt);
  EXPECT_EQ(ac::normalize("-----"), std::nullopt);
}

TEST(ActivationCode, NormalizeRejectsWrongLengthAndCheckDigit) {
  const std::string code = valid_code();
  // 19 digits that are themselves Damm-valid, so only the length can reject them.
  const std::string body18 = code.substr(0, 18);
  const std::string valid19 = body18 + static_cast<char>('0' + lmp::damm::check_digit(body18));
  EXPECT_EQ(ac::normalize(valid19), std::nullopt);
  // 21 digits that are Damm-valid likewise.
  const std::string body20 = code;
  const std::string valid21 = body20 + static_cast<char>('0' + lmp::damm::check_digit(body20));
  ASSERT_TRUE(lmp::damm::is_valid(valid21));
  EXPECT_EQ(ac::normalize(valid21), std::nullopt);

  std::string wrong = code;
  wrong.back() = wrong.back() == '9' ? '0' : static_cast<char>(wrong.back() + 1);
  EXPECT_EQ(ac::normalize(wrong), std::nullopt);
  EXPECT_EQ(ac::normalize(ac::format(wrong)), std::nullopt);
}

TEST(ActivationCode, FormatRejectsNonCodes) {
  EXPECT_THROW(ac::format("1234"), std::invalid_argument);
  EXPECT_THROW(ac::format("1234567890123456789a"), std::invalid_argument);
}

}  // namespace
