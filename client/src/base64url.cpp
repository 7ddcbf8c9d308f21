// base64url as the JOSE formats write it: OpenSSL's EVP_EncodeBlock/EVP_DecodeBlock with the
// URL alphabet swapped in and the padding taken off (and put back for decoding).
#include "base64url.hpp"

#include <openssl/evp.h>

#include <climits>

namespace lmp::client {
namespace {

bool in_url_alphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

std::string encode_base64url(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::optional<std::string> decode_base64url(std::string_view text) {
  // Four characters carry three bytes; one character alone carries none. The bound keeps the
  // lengths within OpenSSL's int.
  if (text.size() % 4 == 1 || text.size() > INT_MAX / 2) return std::nullopt;
  std::string padded;
  padded.reserve(text.size() + 3);
  for (char c : text) {
    if (!in_url_alphabet(c)) return std::nullopt;
    padded += c == '-' ? '+' : c == '_' ? '/' : c;
  }
  std::size_t padding = (4 - text.size() % 4) % 4;
  padded.append(padding, '=');
  std::string out(padded.size() / 4 * 3 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(padded.data()),
                          static_cast<int>(padded.size()));
  if (n < 0 || static_cast<std::size_t>(n) < padding) return std::nullopt;
  // EVP_DecodeBlock counts the bytes the padding stands for as zeros.
  out.resize(static_cast<std::size_t>(n) - padding);
  // Canonical only: text whose unused low bits are set decodes to the same bytes as another
  // text, and a token must have exactly one spelling.
  if (encode_base64url(out) != text) return std::nullopt;
  return out;
}

}  // namespace lmp::client
