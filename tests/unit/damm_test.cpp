// The Damm check digit: published vectors and the error classes it must catch.
#include "core/damm.hpp"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <string>

namespace {

TEST(Damm, KnownVectors) {
  EXPECT_EQ(lmp::damm::check_digit("572"), 4);
  EXPECT_TRUE(lmp::damm::is_valid("5724"));
  EXPECT_FALSE(lmp::damm::is_valid("5723"));
  EXPECT_EQ(lmp::damm::check_digit(""), 0);
  EXPECT_EQ(lmp::damm::check_digit("0"), 0);
  EXPECT_EQ(lmp::damm::check_digit("1"), 3);
  EXPECT_EQ(lmp::damm::check_digit("112946"), 0);
  EXPECT_TRUE(lmp::damm::is_valid("1129460"));
}

TEST(Damm, RejectsEmptyAndNonDigits) {
  EXPECT_FALSE(lmp::damm::is_valid(""));
  EXPECT_FALSE(lmp::damm::is_valid("572a"));
  EXPECT_FALSE(lmp::damm::is_valid("57 24"));
  EXPECT_FALSE(lmp::damm::is_valid("-5724"));
  EXPECT_THROW(lmp::damm::check_digit("57x"), std::invalid_argument);
}

std::string random_valid_code(std::mt19937& rng) {
  std::uniform_int_distribution<int> digit(0, 9);
  std::string code;
  for (int i = 0; i < 19; ++i) code.push_back(static_cast<char>('0' + digit(rng)));
  code.push_back(static_cast<char>('0' + lmp::damm::check_digit(code)));
  return code;
}

TEST(Damm, DetectsEverySingleSubstitution) {
  std::mt19937 rng(20240601);
  for (int round = 0; round < 200; ++round) {
    const std::string code = random_valid_code(rng);
    ASSERT_TRUE(lmp::damm::is_valid(code));
    for (std::size_t pos = 0; pos < code.size(); ++pos) {
      for (char d = '0'; d <= '9'; ++d) {
        if (d == code[pos]) continue;
        std::string typo = code;
        typo[pos] = d;
        ASSERT_FALSE(lmp::damm::is_valid(typo)) << code << " -> " << typo;
      }
    }
  }
}

TEST(Damm, DetectsEveryAdjacentTransposition) {
  std::mt19937 rng(4242);
  for (int round = 0; round < 200; ++round) {
    const std::string code = random_valid_code(rng);
    for (std::size_t pos = 0; pos + 1 < code.size(); ++pos) {
      if (code[pos] == code[pos + 1]) continue;
      std::string swapped = code;
      std::swap(swapped[pos], swapped[pos + 1]);
      ASSERT_FALSE(lmp::damm::is_valid(swapped)) << code << " -> " << swapped;
    }
  }
}

}  // namespace
