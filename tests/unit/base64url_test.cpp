// Base64url without padding: RFC 4648's test vectors (section 10) in the URL alphabet, and the
// texts that are no encoding at all.
#include <gtest/gtest.h>

#include "core/base64url.hpp"

namespace lmp {
namespace {

TEST(Base64Url, EncodesTheRfcVectorsWithoutPadding) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  // The two characters where the URL alphabet differs from the standard one.
  EXPECT_EQ(base64url_encode(std::string("\xfb\xff", 2)), "-_8");
}

TEST(Base64Url, DecodesWhatItEncodesAndRefusesTheRest) {
  for (std::string bytes :
       {std::string(), std::string("f"), std::string("\0\xff\x10", 3), std::string(100, '\x7e')})
    EXPECT_EQ(base64url_decode(base64url_encode(bytes)), bytes);
  EXPECT_EQ(base64url_decode("-_8"), std::string("\xfb\xff", 2));
  EXPECT_FALSE(base64url_decode("Zg=="));    // padding
  EXPECT_FALSE(base64url_decode("Z+8"));     // the standard alphabet
  EXPECT_FALSE(base64url_decode("Zm9vY"));   // no encoding has 4k+1 characters
  EXPECT_FALSE(base64url_decode("Zh"));      // unused bits set: "Zg" is the one spelling
  EXPECT_FALSE(base64url_decode("Zm 9v"));   // a character of no alphabet
  EXPECT_FALSE(base64url_decode("Zm9v\n"));  // nor a line break
}

}  // namespace
}  // namespace lmp
