// Placing each argument of a command in the path, the query or the body, and the generic `api`
// command's request.
#include "api_call.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <charconv>
#include <fstream>
#include <iostream>
#include <iterator>
#include <system_error>

#include "core/secret_input.hpp"

namespace lmpctl {
namespace json = boost::json;

namespace {

bool has_body(std::string_view method) {
  return method != "GET" && method != "DELETE";
}

json::value typed(const Param& param, const std::string& text) {
  // Names were replaced by ids and times by Unix seconds before this (name_lookup.hpp,
  // command_line.cpp).
  if (param.type == ParamType::integer || param.type == ParamType::time) {
    std::int64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);  // checked when parsed
    return value;
  }
  if (param.type == ParamType::boolean) return text == "true";  // checked when parsed
  return json::value(text);
}

const std::vector<std::string>* values_of(const CommandLine& line, std::string_view name) {
  auto it = line.values.find(name);
  return it == line.values.end() ? nullptr : &it->second;
}

json::object parse_object(const std::string& text, const std::string& what) {
  std::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) throw UsageError(what + " must be a JSON object");
  return value.as_object();
}

// The JSON object in the file `name` (`-`: standard input), for a json_file parameter.
json::object object_from_file(const std::string& name) {
  std::string text;
  if (name == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(name, std::ios::binary);
    if (!in) throw UsageError("cannot read " + name);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec) throw UsageError(name + " is not JSON: " + ec.message());
  if (!value.is_object()) throw UsageError(name + " must hold a JSON object");
  return value.as_object();
}

// `api METHOD PATH [--data JSON] [--field k=v | k:=JSON]...`.
ApiCall generic_call(const CommandLine& line) {
  ApiCall call;
  for (char c : values_of(line, "method")->front())
    call.method += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (call.method.empty() || !std::all_of(call.method.begin(), call.method.end(), ::isupper))
    throw UsageError("not an HTTP method: " + values_of(line, "method")->front());
  std::string path = values_of(line, "path")->front();
  if (!path.starts_with("/")) throw UsageError("the path must start with '/': " + path);
  // A query written in the path is passed on as written.
  call.path = path;
  json::object body;
  if (const auto* data = values_of(line, "data")) body = parse_object(data->front(), "--data");
  std::vector<std::pair<std::string, json::value>> fields;
  if (const auto* given = values_of(line, "field")) {
    for (const auto& field : *given) {
      const auto eq = field.find('=');
      if (eq == std::string::npos || eq == 0)
        throw UsageError("--field takes NAME=TEXT or NAME:=JSON, got '" + field + "'");
      if (field[eq - 1] == ':') {
        std::error_code ec;
        json::value value = json::parse(field.substr(eq + 1), ec);
        if (ec) throw UsageError("--field " + field.substr(0, eq - 1) + ":= is not JSON");
        fields.emplace_back(field.substr(0, eq - 1), std::move(value));
      } else {
        fields.emplace_back(field.substr(0, eq), json::value(field.substr(eq + 1)));
      }
    }
  }
  if (has_body(call.method)) {
    for (auto& [name, value] : fields) body[name] = std::move(value);
    call.body = std::move(body);
  } else {
    if (values_of(line, "data") != nullptr)
      throw UsageError("--data needs a method with a body, not " + call.method);
    // Query parameters are text: a JSON string is passed as its content, anything else as JSON.
    for (auto& [name, value] : fields)
      call.query.emplace_back(
          name, value.is_string() ? std::string(value.get_string()) : json::serialize(value));
  }
  return call;
}

}  // namespace

std::string percent_encode(std::string_view text) {
  return boost::urls::encode(text, boost::urls::unreserved_chars);
}

std::string ApiCall::target() const {
  std::string out = path;
  char separator = path.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [name, value] : query) {
    out += separator + percent_encode(name) + "=" + percent_encode(value);
    separator = '&';
  }
  return out;
}

ApiCall ApiCall::with_after(const std::string& cursor) const {
  ApiCall next = *this;
  std::erase_if(next.query, [](const auto& pair) { return pair.first == "after"; });
  next.query.emplace_back("after", cursor);
  return next;
}

ApiCall build_call(const CommandLine& line) {
  const CommandSpec& spec = *line.command;
  if (spec.method.empty()) return generic_call(line);
  ApiCall call;
  call.method = spec.method;
  std::string path(spec.path);
  json::object body;
  if (!spec.fixed_body.empty()) body = parse_object(std::string(spec.fixed_body), "fixed_body");
  for (const auto& param : spec.params) {
    const auto* values = values_of(line, param.name);
    // A list in a body is a complete set, which may be empty ("no permissions").
    if (values == nullptr && param.type == ParamType::list && has_body(spec.method))
      body[param.field()] = json::array();
    if (values == nullptr) continue;
    const std::string segment = "{" + std::string(param.field()) + "}";
    if (auto at = path.find(segment); at != std::string::npos) {
      path.replace(at, segment.size(), percent_encode(values->front()));
    } else if (!has_body(spec.method) || param.in_query) {
      for (const auto& value : *values) call.query.emplace_back(param.field(), value);
    } else if (param.type == ParamType::json_file) {
      for (auto& [name, value] : object_from_file(values->front())) body[name] = value;
    } else if (param.type == ParamType::list) {
      json::array items;
      for (const auto& value : *values) items.emplace_back(json::string(value));
      body[param.field()] = std::move(items);
    } else {
      body[param.field()] = typed(param, values->front());
    }
    if (param.adds_to_timeout)
      call.extra_timeout_seconds += typed(param, values->front()).to_number<std::int64_t>();
  }
  for (std::string_view paging : {"limit", "after"})
    if (const auto* values = values_of(line, paging))
      call.query.emplace_back(paging, values->front());
  if (!spec.secret_field.empty()) {
    try {
      body[spec.secret_field] = lmp::read_secret(std::string(spec.secret_field) + ": ");
    } catch (const std::runtime_error& e) {
      throw UsageError(std::string(spec.secret_field) + ": " + e.what());
    }
  }
  call.path = std::move(path);
  if (has_body(spec.method)) call.body = std::move(body);
  return call;
}

}  // namespace lmpctl
