// A borrow token as the server signs it (protocol 1.1, "Borrowing"): a JWS in compact
// serialization whose payload names the borrowed lease. Parsing only; the signature is checked
// against a key set by jwk_set.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lmp::client {

// Larger than any token lmpd signs (a few hundred bytes); anything longer is refused unread.
inline constexpr std::size_t kMaxTokenSize = 16384;

struct BorrowToken {
  std::string kid;  // the signing key's id (protected header)
  std::string lease;
  std::int64_t license = 0;
  std::string product;
  std::uint32_t units = 0;
  std::string host;
  std::string user;
  std::int64_t issued_at = 0;   // iat
  std::int64_t expires_at = 0;  // exp
  std::string signing_input;    // "HEADER.PAYLOAD", what the signature covers
  std::string signature;        // 64 bytes of Ed25519 signature
};

// Parses a compact JWS with alg EdDSA and the borrow payload. Throws
// ClientError(LMP_ERR_TOKEN_MALFORMED) naming what is wrong; never anything else but bad_alloc.
BorrowToken parse_borrow_token(std::string_view compact);

}  // namespace lmp::client
