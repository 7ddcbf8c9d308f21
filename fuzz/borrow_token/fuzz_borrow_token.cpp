// libFuzzer target: the client's reading of borrow tokens and JWK Sets (client/src/borrow_token,
// jwk_set, and the base64url of core/ it uses), which take text from a file any local user may have
// edited. The input is a token, then optionally an LF and a key set.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "borrow_token.hpp"
#include "client_error.hpp"
#include "common/fuzz_check.hpp"
#include "core/base64url.hpp"
#include "jwk_set.hpp"

namespace {

using lmp::fuzz::check;

void check_base64url(std::string_view text) {
  // Decoding accepts exactly the canonical encodings, and encoding is always decodable.
  if (auto bytes = lmp::base64url_decode(text))
    check(lmp::base64url_encode(*bytes) == text, "decoded text is not canonical", text);
  auto encoded = lmp::base64url_encode(text);
  auto back = lmp::base64url_decode(encoded);
  check(back && *back == text, "an encoding does not decode back", text);
}

std::optional<lmp::client::BorrowToken> check_token(std::string_view text) {
  try {
    auto token = lmp::client::parse_borrow_token(text);
    auto second = text.rfind('.');
    check(second != std::string_view::npos && text.substr(0, second) == token.signing_input,
          "the signing input is not the text before the last dot", text);
    check(token.signing_input.find('.') != std::string::npos &&
              token.signing_input.find('.') == token.signing_input.rfind('.'),
          "an accepted token has not three parts", text);
    check(token.signature.size() == 64, "an accepted signature is not 64 bytes", text);
    check(!token.kid.empty() && !token.lease.empty() && token.units >= 1,
          "an accepted token lacks its kid, lease or units", text);
    check(token.issued_at >= 0 && token.expires_at >= 0 && token.license >= 0,
          "an accepted token has a negative time or license", text);
    return token;
  } catch (const lmp::client::ClientError& e) {
    check(e.code() == LMP_ERR_TOKEN_MALFORMED, "a token is refused with another code", text);
    return std::nullopt;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto lf = input.find('\n');
  const std::string_view token_text = input.substr(0, lf);
  const std::string_view keys_text =
      lf == std::string_view::npos ? std::string_view() : input.substr(lf + 1);

  check_base64url(token_text);
  auto token = check_token(token_text);
  try {
    auto keys = lmp::client::KeySet::parse(keys_text);
    check(!keys.empty(), "an accepted key set has no key", keys_text);
    if (token) {
      if (const auto* key = keys.find(token->kid)) {
        check(key->kid == token->kid, "find gave another kid's key", token->kid);
        (void)lmp::client::signature_valid(*token, *key);
      }
    }
  } catch (const lmp::client::ClientError& e) {
    check(e.code() == LMP_ERR_NO_KEYS, "a key set is refused with another code", keys_text);
  }
  return 0;
}
