// The one way the domain's enums are spelled and read back: next to each enum, a specialisation
// of EnumNames lists its values with their names (as the database and the API write them), and
// the to_string/parse pair below looks them up there.
#pragma once

#include <optional>
#include <string_view>
#include <utility>

namespace lmp::domain {

template <class Enum>
using EnumName = std::pair<Enum, std::string_view>;

// Specialised for each enum with `static constexpr EnumName<Enum> kNames[]`, every enumerator
// listed once.
template <class Enum>
struct EnumNames;

template <class Enum>
concept NamedEnum = requires {
  EnumNames<Enum>::kNames;
};

template <NamedEnum Enum>
constexpr std::string_view to_string(Enum value) {
  for (const auto& [known, name] : EnumNames<Enum>::kNames)
    if (known == value) return name;
  return EnumNames<Enum>::kNames[0].second;  // not reached: every enumerator is listed
}

// parse<AccountStatus>("active"); nullopt for a name the enum does not have.
template <NamedEnum Enum>
constexpr std::optional<Enum> parse(std::string_view text) {
  for (const auto& [known, name] : EnumNames<Enum>::kNames)
    if (name == text) return known;
  return std::nullopt;
}

}  // namespace lmp::domain
