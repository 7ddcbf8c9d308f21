// The CSPRNG helpers: shapes and ranges of their output (randomness itself is the kernel's), and
// that bytes come from the Env they are asked of.
#include "core/secure_random.hpp"

#include "core/env.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
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

// An Env whose random bytes are all 0xab; everything else is the system's.
class FixedRandomEnv final : public lmp::Env {
 public:
  std::error_code open_for_sync(const std::string& path,
                                std::unique_ptr<lmp::SyncableFile>& file) override {
    return posix().open_for_sync(path, file);
  }
  std::error_code read_file(const std::string& path, std::string& contents) override {
    return posix().read_file(path, contents);
  }
  std::error_code create_file(const std::string& path, std::string_view contents) override {
    return posix().create_file(path, contents);
  }
  std::error_code identify(const std::string& path, lmp::FileIdentity& identity) override {
    return posix().identify(path, identity);
  }
  std::error_code lock_file(const std::string& path,
                            std::unique_ptr<lmp::FileLock>& lock) override {
    return posix().lock_file(path, lock);
  }
  std::error_code random_bytes(void* out, std::size_t size) override {
    ++calls;
    std::memset(out, 0xab, size);
    return {};
  }
  std::error_code descriptor_limit(lmp::DescriptorLimit& limit) override {
    return posix().descriptor_limit(limit);
  }
  std::error_code set_descriptor_soft_limit(std::uint64_t soft) override {
    return posix().set_descriptor_soft_limit(soft);
  }
  int calls = 0;
};

TEST(SecureRandom, BytesComeFromTheEnvTheyAreAskedOf) {
  FixedRandomEnv fixed;
  EXPECT_EQ(lmp::random_hex(4, fixed), "abababab");
  EXPECT_EQ(fixed.calls, 1);
  // The per-thread buffer filled from `fixed` serves no request of another Env, and back.
  std::string fixed_hex;
  for (int i = 0; i < 16; ++i) fixed_hex += "ab";
  EXPECT_NE(lmp::random_hex(16), fixed_hex);
  EXPECT_EQ(lmp::random_hex(4, fixed), "abababab");
  EXPECT_EQ(fixed.calls, 2);
}

}  // namespace
