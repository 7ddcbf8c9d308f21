// Reading UTF-8 one code point at a time, and the code points that must never reach a reader
// raw: controls and bidirectional formatting characters. Shared by the domain's name rule and
// lmpctl's output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace lmp::unicode {

// Decodes the code point at `text[i]` and advances `i` past it; nullopt on malformed UTF-8
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), leaving `i` unchanged.
// REQUIRES: i < text.size().
std::optional<std::uint32_t> next_code_point(std::string_view text, std::size_t& i);

// C0 and C1 controls and DEL.
constexpr bool is_control(std::uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

// The characters that reorder what follows them on screen (U+202E shows "exe.gpj" as
// "jpg.exe"): U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069.
constexpr bool is_bidi_format(std::uint32_t cp) {
  return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace lmp::unicode
