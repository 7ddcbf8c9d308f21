// The displayable-text rule of names.
#include "domain/display_text.hpp"

#include <cstdint>
#include <cstdio>

#include "core/unicode_text.hpp"

namespace lmp::domain {
namespace {

std::string code_point_name(std::uint32_t cp) {
  char text[16];
  std::snprintf(text, sizeof text, "U+%04X", static_cast<unsigned>(cp));
  return text;
}

}  // namespace

std::optional<std::string> display_text_problem(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto cp = unicode::next_code_point(text, i);
    if (!cp) return "is not valid UTF-8";
    if (unicode::is_control(*cp)) return "contains the control character " + code_point_name(*cp);
    if (unicode::is_bidi_format(*cp))
      return "contains the bidirectional formatting character " + code_point_name(*cp);
  }
  return std::nullopt;
}

}  // namespace lmp::domain
