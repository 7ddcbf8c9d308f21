// Percent-encoding of protocol values: every byte round-trips and malformed escapes are refused.
#include "protocol/percent.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using lmp::protocol::percent_decode;
using lmp::protocol::percent_encode_append;

std::string encode(std::string_view in) {
  std::string out;
  percent_encode_append(out, in);
  return out;
}

TEST(Percent, EveryByteRoundTripsAndEncodesToWireSafeText) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  const std::string wire = encode(all);
  for (char c : wire) {
    const auto byte = static_cast<unsigned char>(c);
    ASSERT_TRUE(byte >= 0x21 && byte <= 0x7E) << static_cast<int>(byte);
    ASSERT_NE(c, '=');
  }
  EXPECT_EQ(percent_decode(wire), all);
  for (int b = 0; b < 256; ++b) {
    const std::string one(1, static_cast<char>(b));
    ASSERT_EQ(percent_decode(encode(one)), one) << b;
  }
}

TEST(Percent, EncodesExactlyTheReservedBytesInUppercase) {
  EXPECT_EQ(encode("a b=c%d"), "a%20b%3Dc%25d");
  EXPECT_EQ(encode(std::string("\x00\x1f\x7f\x80\xff", 5)), "%00%1F%7F%80%FF");
  EXPECT_EQ(encode("!~azAZ09-_./:@+&?#\"'"), "!~azAZ09-_./:@+&?#\"'");
  std::string out = "prefix:";
  percent_encode_append(out, "x y");
  EXPECT_EQ(out, "prefix:x%20y");
}

TEST(Percent, DecodesEitherHexCase) {
  EXPECT_EQ(percent_decode("%3d%3D%41"), "==A");
  EXPECT_EQ(percent_decode("plain"), "plain");
  EXPECT_EQ(percent_decode(""), "");
  EXPECT_EQ(percent_decode("%2525"), "%25");
}

TEST(Percent, RejectsMalformedEscapes) {
  EXPECT_EQ(percent_decode("%"), std::nullopt);
  EXPECT_EQ(percent_decode("%4"), std::nullopt);
  EXPECT_EQ(percent_decode("%zz"), std::nullopt);
  EXPECT_EQ(percent_decode("%4g"), std::nullopt);
  EXPECT_EQ(percent_decode("%g4"), std::nullopt);
  EXPECT_EQ(percent_decode("abc%"), std::nullopt);
  EXPECT_EQ(percent_decode("abc%2"), std::nullopt);
  EXPECT_EQ(percent_decode("%%41"), std::nullopt);
}

}  // namespace
