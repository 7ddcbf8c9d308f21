// HMAC-SHA256 (RFC 2104) under one key, through OpenSSL's EVP_MAC: the key is set once and each
// message reuses its keyed state.
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

struct evp_mac_ctx_st;  // OpenSSL's EVP_MAC_CTX, kept out of this header

namespace lmp {

// Thread safety: one thread at a time (each call re-initialises one OpenSSL context); make one
// object per thread. Throws std::runtime_error when OpenSSL fails (it cannot allocate its state).
class HmacSha256 {
 public:
  static constexpr std::size_t kSize = 32;
  using Digest = std::array<unsigned char, kSize>;

  explicit HmacSha256(std::string_view key);
  ~HmacSha256();
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  // The MAC of the concatenation of `parts`, without concatenating them.
  Digest digest(std::initializer_list<std::string_view> parts);
  // The same as lowercase hex (64 characters).
  std::string hex(std::initializer_list<std::string_view> parts);

 private:
  evp_mac_ctx_st* context_ = nullptr;
};

}  // namespace lmp
