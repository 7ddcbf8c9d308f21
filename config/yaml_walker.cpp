// Typed, position-aware reads from a yaml-cpp tree for the config loader; scalars are parsed here
// rather than with Node::as<T>, which accepts more than the config format allows.
#include "config/yaml_walker.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <system_error>

namespace lmp::config::detail {

namespace {

// yaml-cpp tags plain scalars "?" and quoted or block scalars "!"; an explicit core-schema tag
// such as `!!int 5` still states the intended type.
constexpr std::string_view kPlainTag = "?";
constexpr std::string_view kNonPlainTag = "!";
constexpr std::string_view kIntTag = "tag:yaml.org,2002:int";
constexpr std::string_view kBoolTag = "tag:yaml.org,2002:bool";

// Long or multi-line values would swamp the message; show enough to recognise them.
constexpr std::size_t kMaxShownChars = 60;

std::string where(const std::string& path) {
  return path.empty() ? std::string("at the top level") : "in " + path;
}

std::string found(const YAML::Node& node, bool typed) {
  std::string text = describe(node);
  if (typed && node.IsScalar() && node.Tag() == kNonPlainTag) text += " (quoted, so a string)";
  return text;
}

// Strict YAML-ish integer: optional '-', digits, no leading zeros (YAML 1.1 would read "010" as
// octal), no '+', '_', exponents or other bases.
std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '-') digits.remove_prefix(1);
  if (digits.empty() || (digits.size() > 1 && digits.front() == '0')) return std::nullopt;
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return "an empty value";
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Scalar:
      break;
  }
  const std::string& raw = node.Scalar();
  std::string shown;
  for (char c : raw) {
    if (shown.size() >= kMaxShownChars) {
      shown += "...";
      break;
    }
    if (c == '\n') {
      shown += "\\n";
    } else if (c == '\t') {
      shown += "\\t";
    } else {
      shown += c;
    }
  }
  return "'" + shown + "'";
}

Walker::Walker(std::string file_name) : file_(std::move(file_name)) {}

Position Walker::position(const YAML::Mark& mark) const {
  if (mark.is_null() || mark.line < 0) return Position{file_, 0, 0};
  return Position{file_, mark.line + 1, mark.column + 1};
}

void Walker::error(const YAML::Mark& mark, std::string message) {
  errors_.push_back(Error{position(mark), std::move(message)});
}

void Walker::expected(const Item& item, std::string_view what, bool typed) {
  error(item.mark,
        item.path + ": expected " + std::string(what) + ", got " + found(item.node, typed));
}

bool Walker::map(const Item& item, bool allow_empty) {
  if (item.node.IsMap()) return true;
  if (!(allow_empty && item.node.IsNull())) expected(item, "a map");
  return false;
}

bool Walker::sequence(const Item& item, bool allow_empty) {
  if (item.node.IsSequence()) return true;
  if (!(allow_empty && item.node.IsNull())) expected(item, "a sequence");
  return false;
}

void Walker::for_each_entry(const Item& section, const EntryFn& fn) {
  std::map<std::string, int, std::less<>> first_line;
  for (auto it = section.node.begin(); it != section.node.end(); ++it) {
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    if (!key.IsScalar()) {
      error(key.Mark(), "expected a scalar key " + where(section.path) + ", got " + describe(key));
      continue;
    }
    const std::string& name = key.Scalar();
    auto [seen, inserted] = first_line.emplace(name, position(key.Mark()).line);
    if (!inserted) {
      error(key.Mark(), "duplicate key '" + name + "' " + where(section.path) + " (first at line " +
                            std::to_string(seen->second) + ")");
      continue;
    }
    std::string path = section.path.empty() ? name : section.path + "." + name;
    fn(name, key.Mark(), Item{value, std::move(path), value.IsNull() ? key.Mark() : value.Mark()});
  }
}

void Walker::fields(const Item& section, Fields handlers) {
  if (!map(section, true)) return;
  for_each_entry(
      section, [&](const std::string& key, const YAML::Mark& key_mark, const Item& value) {
        auto handler = std::find_if(handlers.begin(), handlers.end(),
                                    [&](const auto& field) { return field.first == key; });
        if (handler == handlers.end()) {
          error(key_mark, "unknown key '" + key + "' " + where(section.path));
          return;
        }
        handler->second(value);
      });
}

std::optional<std::int64_t> Walker::integer(const Item& item, std::int64_t min, std::int64_t max,
                                            std::string_view note) {
  std::optional<std::int64_t> value;
  if (item.node.IsScalar() && (item.node.Tag() == kPlainTag || item.node.Tag() == kIntTag))
    value = parse_integer(item.node.Scalar());
  if (value && *value >= min && *value <= max) return value;
  expected(
      item,
      "an integer from " + std::to_string(min) + " to " + std::to_string(max) + std::string(note),
      true);
  return std::nullopt;
}

std::optional<bool> Walker::boolean(const Item& item) {
  if (item.node.IsScalar() && (item.node.Tag() == kPlainTag || item.node.Tag() == kBoolTag)) {
    if (item.node.Scalar() == "true") return true;
    if (item.node.Scalar() == "false") return false;
  }
  expected(item, "true or false", true);
  return std::nullopt;
}

std::optional<std::string> Walker::text(const Item& item) {
  if (item.node.IsScalar() && !item.node.Scalar().empty()) return item.node.Scalar();
  expected(item, "a non-empty string");
  return std::nullopt;
}

std::optional<std::string> Walker::choice(const Item& item,
                                          std::span<const std::string_view> options) {
  if (item.node.IsScalar()) {
    for (std::string_view option : options)
      if (item.node.Scalar() == option) return item.node.Scalar();
  }
  // "a", "a or b", "a, b or c": the accepted values, readable as a sentence.
  std::string what;
  std::size_t index = 0;
  for (std::string_view option : options) {
    if (index > 0) what += index + 1 == options.size() ? " or " : ", ";
    what += option;
    ++index;
  }
  expected(item, what);
  return std::nullopt;
}

std::vector<Error> Walker::take_errors() {
  // Cross-checks (duplicate codes, heartbeat against duration) run after the walk that found
  // their values, so sort to give the reader the file's order.
  std::stable_sort(errors_.begin(), errors_.end(), [](const Error& a, const Error& b) {
    if (a.position.line != b.position.line) return a.position.line < b.position.line;
    return a.position.column < b.position.column;
  });
  return std::move(errors_);
}

}  // namespace lmp::config::detail
