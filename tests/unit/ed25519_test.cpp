// Ed25519 through OpenSSL: RFC 8032's test vectors (section 7.1), and that a signature verifies
// for its own key and message only.
#include <gtest/gtest.h>

#include "core/ed25519.hpp"
#include "core/hex.hpp"

namespace lmp {
namespace {

std::string bytes(std::string_view hex) {
  return *from_hex(hex);
}

TEST(Ed25519, SignsTheRfc8032Vectors) {
  // TEST 1 (empty message) and TEST 2 (one byte).
  struct Vector {
    const char* secret;
    const char* public_key;
    const char* message;
    const char* signature;
  };
  const Vector vectors[] = {
      {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
       "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf"
       "9"
       "b46bd25bf5f0595bbe24655141438e7a100b"},
      {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
       "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f"
       "1"
       "1d8c387b2eaeb4302aeeb00d291612bb0c00"},
  };
  for (const auto& v : vectors) {
    auto key = Ed25519Key::from_private(bytes(v.secret));
    ASSERT_TRUE(key.has_value());
    EXPECT_EQ(to_hex(key->public_bytes()), v.public_key);
    EXPECT_EQ(key->private_bytes(), bytes(v.secret));
    const std::string signature = key->sign(bytes(v.message));
    EXPECT_EQ(to_hex(signature), v.signature);
    EXPECT_TRUE(ed25519_verify(bytes(v.public_key), bytes(v.message), signature));
  }
}

TEST(Ed25519, AGeneratedKeysSignatureVerifiesForItsKeyAndMessageOnly) {
  const auto key = Ed25519Key::generate();
  const auto other = Ed25519Key::generate();
  EXPECT_NE(key.public_bytes(), other.public_bytes());
  const std::string signature = key.sign("borrowed lease");
  EXPECT_TRUE(ed25519_verify(key.public_bytes(), "borrowed lease", signature));
  EXPECT_FALSE(ed25519_verify(key.public_bytes(), "borrowed lease!", signature));
  EXPECT_FALSE(ed25519_verify(other.public_bytes(), "borrowed lease", signature));
  std::string damaged = signature;
  damaged[10] ^= 1;
  EXPECT_FALSE(ed25519_verify(key.public_bytes(), "borrowed lease", damaged));
  EXPECT_FALSE(ed25519_verify(key.public_bytes(), "borrowed lease", signature.substr(1)));
  EXPECT_FALSE(Ed25519Key::from_private("short").has_value());
}

}  // namespace
}  // namespace lmp
