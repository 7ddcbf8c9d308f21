// The CSPRNG helpers: shapes and ranges of their output (randomness itself is the kernel's).
#include "core/secure_random.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <stdexcept>
#include <vector>

namespace {

TEST(SecureRandom, HexHasRequestedLengthAndLowercaseCharset) {
  for (std::size_t bytes : {0u, 1u, 16u, 33u}) {
    const std::string hex = lmp::random_hex(bytes);
    ASSERT_EQ(hex.size(), 2 * bytes);
    for (char c : hex) {
      ASSERT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << hex;
    }
  }
}

TEST(SecureRandom, TwoDrawsDiffer) {
  EXPECT_NE(lmp::random_hex(16), lmp::random_hex(16));
  std::array<unsigned char, 32> a{};
  std::array<unsigned char, 32> b{};
  lmp::secure_random_bytes(a.data(), a.size());
  lmp::secure_random_bytes(b.data(), b.size());
  EXPECT_NE(a, b);
}

TEST(SecureRandom, LargeRequestIsFilled) {
  // getrandom may return large requests in pieces; the tail must be written too.
  std::vector<unsigned char> buffer(1 << 20, 0);
  lmp::secure_random_bytes(buffer.data(), buffer.size());
  int nonzero_tail = 0;
  for (std::size_t i = buffer.size() - 64; i < buffer.size(); ++i) nonzero_tail += buffer[i] != 0;
  EXPECT_GT(nonzero_tail, 32);
}

TEST(SecureRandom, BelowStaysInRangeAndCoversSmallRanges) {
  EXPECT_EQ(lmp::random_below(1), 0u);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    const std::uint64_t v = lmp::random_below(7);
    ASSERT_LT(v, 7u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 7u);
  // A bound just above 2^63 rejects almost half the draws; it must still terminate in range.
  const std::uint64_t big = (std::uint64_t{1} << 63) + 12345;
  for (int i = 0; i < 200; ++i) ASSERT_LT(lmp::random_below(big), big);
  EXPECT_THROW(lmp::random_below(0), std::invalid_argument);
}

}  // namespace
