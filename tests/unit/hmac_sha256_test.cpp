// HMAC-SHA256 against the test vectors of RFC 4231, and the same MAC whether a message comes in
// one part or several.
#include "core/hmac_sha256.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

TEST(HmacSha256, MatchesRfc4231) {
  // Test case 1: a 20-byte key.
  lmp::HmacSha256 one(std::string(20, '\x0b'));
  EXPECT_EQ(one.hex({"Hi There"}),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2: a key shorter than the output.
  lmp::HmacSha256 two("Jefe");
  EXPECT_EQ(two.hex({"what do ya want for nothing?"}),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than a block is hashed first.
  lmp::HmacSha256 six(std::string(131, '\xaa'));
  EXPECT_EQ(six.hex({"Test Using Larger Than Block-Size Key - Hash Key First"}),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // The keyed states are reused, not consumed: the same message gives the same MAC again.
  EXPECT_EQ(one.hex({"Hi There"}),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(HmacSha256, PartsAreConcatenated) {
  lmp::HmacSha256 mac("key");
  EXPECT_EQ(mac.hex({"Hi", " ", "There"}), mac.hex({"Hi There"}));
  EXPECT_EQ(mac.hex({"", "Hi There", ""}), mac.hex({"Hi There"}));
  EXPECT_NE(mac.hex({"Hi There"}), lmp::HmacSha256("other key").hex({"Hi There"}));
  EXPECT_EQ(mac.digest({"x"}).size(), 32u);
}

}  // namespace
