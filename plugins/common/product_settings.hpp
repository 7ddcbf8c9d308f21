// Reading a product's family settings inside a first-party plugin. The daemon has already
// checked them against the family's schema, so these only convert; header-only, since each
// plugin is a library of its own.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lmp/sdk/family.hpp"

namespace lmp::plugins {

inline std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t value = 0;
  const char* const end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

inline const std::string* find_setting(const sdk::ProductInfo& product, std::string_view key) {
  const auto it = product.settings.find(std::string(key));
  return it == product.settings.end() ? nullptr : &it->second;
}

// The integer setting `key`, or `fallback` when it is absent or does not parse.
inline std::int64_t integer_setting(const sdk::ProductInfo& product, std::string_view key,
                                    std::int64_t fallback) {
  const std::string* text = find_setting(product, key);
  if (text == nullptr) return fallback;
  return parse_integer(*text).value_or(fallback);
}

inline sdk::SettingSpec integer_spec(std::string key, std::int64_t min, std::int64_t max,
                                     std::string description) {
  sdk::SettingSpec spec;
  spec.key = std::move(key);
  spec.type = sdk::SettingSpec::Type::integer;
  spec.min = min;
  spec.max = max;
  spec.description = std::move(description);
  return spec;
}

inline sdk::SettingSpec boolean_spec(std::string key, std::string description) {
  sdk::SettingSpec spec;
  spec.key = std::move(key);
  spec.type = sdk::SettingSpec::Type::boolean;
  spec.description = std::move(description);
  return spec;
}

}  // namespace lmp::plugins
