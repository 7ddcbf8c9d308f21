// AES-256-GCM against the test vectors of the GCM specification (McGrew and Viega, test cases 13
// to 16), refusal of anything whose tag does not verify, and the same answers whatever came
// before on the thread's reused contexts.
#include "core/aes256_gcm.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <thread>

#include "core/hex.hpp"

namespace {

std::string bytes(const std::string& hex) {
  return *lmp::from_hex(hex);
}

const std::string kZeroKey(32, '\0');
const std::string kZeroNonce(12, '\0');
const std::string kKey = bytes("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
const std::string kNonce = bytes("cafebabefacedbaddecaf888");
const std::string kPlaintext = bytes(
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6"
    "b525b16aedf5aa0de657ba637b39");
const std::string kAssociated = bytes("feedfacedeadbeeffeedfacedeadbeefabaddad2");

TEST(Aes256Gcm, MatchesTheSpecificationsTestVectors) {
  // Test case 13: nothing to encrypt, only the tag.
  EXPECT_EQ(lmp::to_hex(lmp::aes256_gcm_seal(kZeroKey, kZeroNonce, "", "")),
            "530f8afbc74536b9a963b4f1c4cb738b");
  // Test case 14: one block of zeros.
  EXPECT_EQ(lmp::to_hex(lmp::aes256_gcm_seal(kZeroKey, kZeroNonce, "", std::string(16, '\0'))),
            "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919");
  // Test case 16: associated data and a plaintext that is not a whole number of blocks.
  const std::string sealed = lmp::aes256_gcm_seal(kKey, kNonce, kAssociated, kPlaintext);
  EXPECT_EQ(
      lmp::to_hex(sealed),
      "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b10"
      "56828838c5f61e6393ba7a0abcc9f662"
      "76fc6ece0f4e1768cddf8853bb2d551b");
  EXPECT_EQ(lmp::aes256_gcm_open(kKey, kNonce, kAssociated, sealed), kPlaintext);
}

TEST(Aes256Gcm, OpensNothingWhoseTagDoesNotVerify) {
  const std::string sealed = lmp::aes256_gcm_seal(kKey, kNonce, kAssociated, kPlaintext);
  std::string damaged = sealed;
  damaged[3] = static_cast<char>(damaged[3] ^ 1);
  EXPECT_FALSE(lmp::aes256_gcm_open(kKey, kNonce, kAssociated, damaged).has_value());
  EXPECT_FALSE(lmp::aes256_gcm_open(kKey, kNonce, "other", sealed).has_value());
  EXPECT_FALSE(lmp::aes256_gcm_open(kZeroKey, kNonce, kAssociated, sealed).has_value());
  EXPECT_FALSE(lmp::aes256_gcm_open(kKey, kZeroNonce, kAssociated, sealed).has_value());
  EXPECT_FALSE(lmp::aes256_gcm_open(kKey, kNonce, kAssociated, "short").has_value());
}

// Each thread keeps a context keyed with its last key: calls that switch keys, directions and
// nonces, after refusals and on other threads, give what the first call under a key gives.
TEST(Aes256Gcm, AnyOrderOfKeysNoncesAndRefusalsGivesTheSameAnswers) {
  const std::string expected = lmp::aes256_gcm_seal(kKey, kNonce, kAssociated, kPlaintext);
  const std::string zero = lmp::aes256_gcm_seal(kZeroKey, kZeroNonce, "", std::string(16, '\0'));
  std::string damaged = expected;
  damaged[0] = static_cast<char>(damaged[0] ^ 1);
  const auto round = [&] {
    for (int i = 0; i < 3; ++i) {
      EXPECT_FALSE(lmp::aes256_gcm_open(kKey, kNonce, kAssociated, damaged).has_value());
      EXPECT_EQ(lmp::aes256_gcm_open(kKey, kNonce, kAssociated, expected), kPlaintext);
      EXPECT_EQ(lmp::aes256_gcm_seal(kKey, kNonce, kAssociated, kPlaintext), expected);
      EXPECT_EQ(lmp::aes256_gcm_seal(kZeroKey, kZeroNonce, "", std::string(16, '\0')), zero);
      EXPECT_EQ(lmp::aes256_gcm_seal(kKey, kNonce, kAssociated, kPlaintext), expected);
      EXPECT_EQ(lmp::aes256_gcm_open(kZeroKey, kZeroNonce, "", zero), std::string(16, '\0'));
      EXPECT_FALSE(lmp::aes256_gcm_open(kZeroKey, kNonce, kAssociated, expected).has_value());
      EXPECT_EQ(lmp::aes256_gcm_open(kKey, kNonce, kAssociated, expected), kPlaintext);
    }
    EXPECT_THROW(lmp::aes256_gcm_seal("short", kNonce, "", ""), std::invalid_argument);
    EXPECT_EQ(lmp::aes256_gcm_seal(kKey, kNonce, kAssociated, kPlaintext), expected);
  };
  round();
  std::thread other(round);
  round();
  other.join();
}

TEST(Hex, RoundTripsAndRefusesWhatIsNotLowercaseHex) {
  EXPECT_EQ(lmp::to_hex(std::string("\x00\x7f\xff", 3)), "007fff");
  EXPECT_EQ(lmp::from_hex("007fff"), std::string("\x00\x7f\xff", 3));
  EXPECT_EQ(lmp::from_hex(""), "");
  EXPECT_FALSE(lmp::from_hex("abc").has_value());
  EXPECT_FALSE(lmp::from_hex("0g").has_value());
  EXPECT_FALSE(lmp::from_hex("FF").has_value());
}

}  // namespace
