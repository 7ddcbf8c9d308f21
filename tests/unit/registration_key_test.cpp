// Registration keys: the alphabet, the check character's guarantees, generation, display form and
// normalization of typed input.
#include "core/registration_key.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>

namespace {

namespace rk = lmp::registration_key;

// A fixed key whose check character is computed, so these tests are about the format.
std::string valid_key() {
  const std::string body = "CA23456789ABCDEFG";
  return body + rk::check_character(body);
}

std::uint64_t always_zero(std::uint64_t) {
  return 0;
}

std::string symbol(std::size_t i) {
  return std::string(1, rk::kAlphabet[i]);
}

TEST(RegistrationKey, AlphabetHasNoLookAlikes) {
  EXPECT_EQ(rk::kAlphabet.size(), 31u);
  for (char c : std::string("01ILO")) EXPECT_EQ(rk::symbol_value(c), -1) << c;
  EXPECT_EQ(std::set<char>(rk::kAlphabet.begin(), rk::kAlphabet.end()).size(), 31u);
}

// Every interim value occurs after one symbol, so checking all (first, x, y) covers every state
// the check can be in when two adjacent characters are swapped.
TEST(RegistrationKey, CheckCatchesEveryAdjacentSwapExhaustively) {
  for (std::size_t c = 0; c < rk::kAlphabet.size(); ++c) {
    for (std::size_t x = 0; x < rk::kAlphabet.size(); ++x) {
      for (std::size_t y = 0; y < rk::kAlphabet.size(); ++y) {
        if (x == y) continue;
        ASSERT_NE(rk::check_character(symbol(c) + symbol(x) + symbol(y)),
                  rk::check_character(symbol(c) + symbol(y) + symbol(x)))
            << c << ' ' << x << ' ' << y;
      }
      // The last body character swapped with the check character.
      const char check = rk::check_character(symbol(c) + symbol(x));
      if (check != rk::kAlphabet[x]) {
        ASSERT_NE(rk::check_character(symbol(c) + check), rk::kAlphabet[x]) << c << ' ' << x;
      }
    }
  }
}

TEST(RegistrationKey, CheckCatchesEverySingleSubstitutionExhaustively) {
  for (std::size_t c = 0; c < rk::kAlphabet.size(); ++c) {
    for (std::size_t x = 0; x < rk::kAlphabet.size(); ++x) {
      for (std::size_t y = x + 1; y < rk::kAlphabet.size(); ++y) {
        ASSERT_NE(rk::check_character(symbol(c) + symbol(x)),
                  rk::check_character(symbol(c) + symbol(y)))
            << c << ' ' << x << ' ' << y;
      }
    }
  }
}

TEST(RegistrationKey, EveryTypoOfGeneratedKeysIsRejected) {
  for (int round = 0; round < 50; ++round) {
    const std::string key = rk::generate("CA");
    ASSERT_TRUE(rk::is_valid(key)) << key;
    for (std::size_t i = 0; i < key.size(); ++i) {
      for (char other : rk::kAlphabet) {
        if (other == key[i]) continue;
        std::string typo = key;
        typo[i] = other;
        ASSERT_FALSE(rk::normalize(typo)) << typo;
      }
      if (i + 1 < key.size() && key[i] != key[i + 1]) {
        std::string swapped = key;
        std::swap(swapped[i], swapped[i + 1]);
        ASSERT_FALSE(rk::normalize(swapped)) << swapped;
      }
    }
  }
}

TEST(RegistrationKey, DefaultPrefixesComeFromTheCodesKeyLetters) {
  EXPECT_EQ(rk::default_prefix("cad-pro"), "CA");
  EXPECT_EQ(rk::default_prefix("io-lab"), "AB");  // I, O and L are not key letters
  EXPECT_EQ(rk::default_prefix("o1"), "XX");
  EXPECT_EQ(rk::default_prefix("9z"), "ZX");
  for (const std::string code : {"cad-pro", "io-lab", "o1", "9z", "agent"})
    EXPECT_TRUE(rk::is_prefix(rk::default_prefix(code))) << code;
  EXPECT_FALSE(rk::is_prefix("IO"));
  EXPECT_FALSE(rk::is_prefix("ab"));
  EXPECT_FALSE(rk::is_prefix("A2"));
}

TEST(RegistrationKey, GenerateGivesValidDistinctKeys) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string key = rk::generate("zx");
    ASSERT_EQ(key.size(), rk::kChars);
    ASSERT_EQ(key.substr(0, 2), "ZX");
    ASSERT_EQ(rk::normalize(key), key);
    seen.insert(key);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(RegistrationKey, GenerateUsesTheRandomSource) {
  const std::string key = rk::generate("AB", &always_zero);
  EXPECT_EQ(key.substr(0, 17), "AB222222222222222");
  EXPECT_TRUE(rk::is_valid(key));
}

TEST(RegistrationKey, GenerateRefusesABadPrefix) {
  for (const char* prefix : {"", "A", "ABC", "A2", "IO", "L1", "A-", "ä"}) {
    EXPECT_THROW(rk::generate(prefix), std::invalid_argument) << prefix;
  }
}

TEST(RegistrationKey, FormatAndNormalizeRoundTrip) {
  const std::string key = valid_key();
  const std::string shown = rk::format(key);
  EXPECT_EQ(shown, "CA-2345-6789-ABCD-EFG" + std::string(1, key.back()));
  EXPECT_EQ(rk::normalize(shown), key);
  EXPECT_THROW(rk::format("CA"), std::invalid_argument);
  EXPECT_THROW(rk::format(shown), std::invalid_argument);
}

TEST(RegistrationKey, NormalizeIsCaseInsensitiveAndIgnoresSeparators) {
  const std::string key = valid_key();
  std::string lower = rk::format(key);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  EXPECT_EQ(rk::normalize(lower), key);
  EXPECT_EQ(rk::normalize(" " + key.substr(0, 9) + " - " + key.substr(9) + " "), key);
}

TEST(RegistrationKey, NormalizeRejectsBadKeys) {
  const std::string key = valid_key();
  EXPECT_FALSE(rk::normalize(""));
  EXPECT_FALSE(rk::normalize(key.substr(0, 17)));
  EXPECT_FALSE(rk::normalize(key + "2"));
  EXPECT_FALSE(rk::normalize(key + std::string(1000, 'A')));
  // A digit prefix, even with a correct check character.
  const std::string digits = "2A23456789ABCDEFG";
  EXPECT_FALSE(rk::normalize(digits + rk::check_character(digits)));
  for (char bad : std::string("01ILOoil_\t\n\0+", 14)) {
    std::string typo = key;
    typo[5] = bad;
    EXPECT_FALSE(rk::normalize(typo)) << static_cast<int>(bad);
  }
}

}  // namespace
