// Base64url without padding (RFC 4648 section 5, as JOSE writes it: RFC 7515 section 2): the
// encoding of a JWS's parts and of a JWK's key bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lmp {

std::string base64url_encode(std::string_view bytes);

// The bytes back; nullopt when `text` has a character outside the alphabet, padding, or a length
// no encoding has (4k+1), or unused bits that are not zero (so that each text has one meaning).
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace lmp
