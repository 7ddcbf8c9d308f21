// Internal to lmp_config (and lmpctl's config file): typed, position-aware reads from a parsed
// yaml-cpp tree. Every problem becomes a collected Error rather than an exception, so one pass
// reports all of them.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/config_loader.hpp"

namespace lmp::config::detail {

// A value found in the document together with its dotted path ("listeners.seat.port",
// "products[2].code"; empty for the root) and the place to blame when it is wrong.
struct Item {
  YAML::Node node;
  std::string path;
  // For an empty value yaml-cpp's mark points at the next token (often the following line), so
  // empty values carry their key's mark instead.
  YAML::Mark mark;
};

// How a node reads in a message: 'text' for scalars, "a map", "an empty value", ...
std::string describe(const YAML::Node& node);

class Walker {
 public:
  using EntryFn =
      std::function<void(const std::string& key, const YAML::Mark& key_mark, const Item& value)>;
  using FieldFn = std::function<void(const Item& value)>;
  using Fields = std::initializer_list<std::pair<std::string_view, FieldFn>>;

  explicit Walker(std::string file_name);

  Position position(const YAML::Mark& mark) const;
  void error(const YAML::Mark& mark, std::string message);
  // "<path>: expected <what>, got <what the node is>" at the item's mark. `typed` is for
  // integers and booleans, where quoting a scalar is what made it wrong.
  void expected(const Item& item, std::string_view what, bool typed = false);

  // True when the item is a map. An empty value is false without an error when `allow_empty`
  // (an optional section whose keys are all commented out); anything else is reported.
  bool map(const Item& item, bool allow_empty);
  bool sequence(const Item& item, bool allow_empty);

  // Calls `fn` for each entry of a map in document order, reporting non-scalar and duplicate keys
  // (yaml-cpp keeps duplicates silently) instead of passing them on.
  void for_each_entry(const Item& section, const EntryFn& fn);
  // Like for_each_entry, dispatching each key to its field handler; keys without one are
  // reported as unknown. Does nothing more when the item is not a map (see map()).
  void fields(const Item& section, Fields handlers);

  // Each reports its own error and returns nullopt when the value does not fit.
  // `note` is appended to the expectation, e.g. " (below leases.duration_seconds)".
  std::optional<std::int64_t> integer(const Item& item, std::int64_t min, std::int64_t max,
                                      std::string_view note = {});
  std::optional<bool> boolean(const Item& item);
  std::optional<std::string> text(const Item& item);  // a non-empty scalar
  std::optional<std::string> choice(const Item& item, std::span<const std::string_view> options);
  std::optional<std::string> choice(const Item& item,
                                    std::initializer_list<std::string_view> options) {
    return choice(item, std::span<const std::string_view>(options.begin(), options.size()));
  }

  // The errors so far, in file order.
  std::vector<Error> take_errors();

 private:
  std::string file_;
  std::vector<Error> errors_;
};

}  // namespace lmp::config::detail
