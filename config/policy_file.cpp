// The policy file's reader: YAML to the policy's JSON form, with the position of every part, so
// that the domain's problems (named at JSON paths) are told at the file's lines and columns.
#include "config/policy_file.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "config/yaml_walker.hpp"
#include "domain/site_policy.hpp"

namespace lmp::config {
namespace {

using detail::Item;
using detail::Walker;

constexpr std::string_view kPlainTag = "?";

void append_json_string(std::string_view text, std::string& out) {
  out.push_back('"');
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (byte < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
      out += escaped;
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

std::optional<std::int64_t> plain_integer(const std::string& text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// Writes a YAML value as JSON and notes where each part of it was written, by its JSON path. A
// quoted scalar is a string; a plain one is null, a boolean or an integer when it reads as one,
// else a string.
class JsonWriter {
 public:
  JsonWriter(Walker& walker, std::map<std::string, Position>& positions)
      : walker_(walker), positions_(positions) {}

  // The entries of a map, but for the keys in `skip`.
  void object(const Item& item, std::string& out, std::string_view skip = {}) {
    out.push_back('{');
    bool first = true;
    walker_.for_each_entry(
        item, [&](const std::string& key, const YAML::Mark& key_mark, const Item& child) {
          if (key == skip) return;
          if (!first) out.push_back(',');
          first = false;
          append_json_string(key, out);
          out.push_back(':');
          value(child, out);
          // A problem with an entry is blamed on its key.
          positions_.insert_or_assign(child.path, walker_.position(key_mark));
        });
    out.push_back('}');
  }

  void value(const Item& item, std::string& out) {
    positions_.emplace(item.path, walker_.position(item.mark));
    const YAML::Node& node = item.node;
    if (node.IsMap()) {
      object(item, out);
    } else if (node.IsSequence()) {
      out.push_back('[');
      std::size_t index = 0;
      for (auto it = node.begin(); it != node.end(); ++it, ++index) {
        if (index > 0) out.push_back(',');
        value(Item{*it, item.path + "[" + std::to_string(index) + "]", it->Mark()}, out);
      }
      out.push_back(']');
    } else if (node.IsScalar()) {
      const std::string& text = node.Scalar();
      if (node.Tag() != kPlainTag)
        append_json_string(text, out);
      else if (text == "null" || text == "~")
        out += "null";
      else if (text == "true" || text == "false" || plain_integer(text))
        out += text;
      else
        append_json_string(text, out);
    } else {
      out += "null";
    }
  }

 private:
  Walker& walker_;
  std::map<std::string, Position>& positions_;
};

class Reader {
 public:
  Reader(Walker& walker, PolicyFile& file) : walker_(walker), file_(file) {}

  void document(const YAML::Node& root) {
    const Item item{root, "", root.Mark()};
    if (root.IsNull()) return;  // an empty file: no policies
    const Walker::Fields fields = {
        {"policies",
         [&](const Item& list) {
           if (!walker_.sequence(list, true)) return;
           std::size_t index = 0;
           for (auto it = list.node.begin(); it != list.node.end(); ++it, ++index)
             entry(Item{*it, "policies[" + std::to_string(index) + "]", it->Mark()});
         }},
    };
    if (!root.IsMap()) {
      walker_.error(root.Mark(), "expected a map at the top level, got " + detail::describe(root));
      return;
    }
    walker_.fields(item, fields);
  }

  std::vector<Error> problems;  // the domain's, at their positions

 private:
  void entry(const Item& item) {
    if (!walker_.map(item, false)) return;
    std::map<std::string, Position> positions;
    positions.emplace("", walker_.position(item.mark));
    domain::FilePolicy policy;
    const YAML::Node customer = item.node["customer"];
    if (!customer) {
      walker_.error(item.mark, item.path + ": missing key 'customer' (a customer's id or name)");
      return;
    }
    const Item customer_item{customer, item.path + ".customer", customer.Mark()};
    if (!customer.IsScalar() || customer.Scalar().empty()) {
      walker_.expected(customer_item, "a customer's id or name");
      return;
    }
    positions.emplace("customer", walker_.position(customer.Mark()));
    const auto id = customer.Tag() == kPlainTag ? plain_integer(customer.Scalar()) : std::nullopt;
    if (id)
      policy.customer_id = *id;
    else
      policy.customer_name = customer.Scalar();

    // The entry but `customer` is the policy's JSON object, its paths the policy's JSON paths.
    std::string json;
    JsonWriter(walker_, positions).object(Item{item.node, "", item.mark}, json, "customer");
    auto parsed = domain::parse_site_policy(std::string_view(json));
    const std::size_t index = file_.positions.size();
    file_.positions.push_back(std::move(positions));
    for (const auto& problem : parsed.problems)
      problems.push_back(
          {file_.position_of(index, problem.path),
           item.path + (problem.path.empty() ? "" : ".") + problem.path + ": " + problem.message});
    policy.policy = std::move(parsed.policy);
    file_.policies.push_back(std::move(policy));
  }

  Walker& walker_;
  PolicyFile& file_;
};

}  // namespace

Position PolicyFile::position_of(std::size_t index, const std::string& path) const {
  if (index >= positions.size()) return {};
  const auto& at = positions[index];
  // "max[0].units" -> "max[0]" -> "max" -> "".
  for (std::string part = path;;) {
    if (auto it = at.find(part); it != at.end()) return it->second;
    if (part.empty()) return {};
    const auto cut = part.find_last_of(".[");
    part = cut == std::string::npos ? std::string() : part.substr(0, cut);
  }
}

PolicyFile load_policy_string(const std::string& yaml, const std::string& file_name) {
  PolicyFile file;
  Walker walker(file_name);
  Reader reader(walker, file);
  try {
    reader.document(YAML::Load(yaml));
  } catch (const YAML::Exception& e) {
    walker.error(e.mark, e.msg);
  } catch (const std::exception& e) {
    walker.error(YAML::Mark::null_mark(), std::string("internal error: ") + e.what());
  }
  file.errors = walker.take_errors();
  file.errors.insert(file.errors.end(), reader.problems.begin(), reader.problems.end());
  std::stable_sort(file.errors.begin(), file.errors.end(), [](const Error& a, const Error& b) {
    return std::make_pair(a.position.line, a.position.column) <
           std::make_pair(b.position.line, b.position.column);
  });
  if (!file.errors.empty()) file.policies.clear();
  return file;
}

PolicyFile load_policy_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    PolicyFile file;
    file.errors.push_back(
        Error{Position{path, 0, 0}, "cannot read file: " + std::generic_category().message(error)});
    return file;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return load_policy_string(text.str(), path);
}

}  // namespace lmp::config
