// The request-line grammar of the seat protocol: verb *( SP field ), field = key "=" value.
#include "protocol/request_parser.hpp"

#include <array>
#include <limits>
#include <utility>
#include <vector>

#include "protocol/percent.hpp"

namespace lmp::protocol {
namespace {

constexpr std::string_view kBadRequest = "bad_request";
constexpr std::string_view kUnknownVerb = "unknown_verb";
constexpr std::string_view kTagKey = "tag";
// Names quoted back in messages are cut here, so a junk line cannot balloon the answer.
constexpr std::size_t kMaxQuoted = 40;

constexpr std::array<std::pair<std::string_view, Verb>, 8> kVerbs{{
    {"hello", Verb::hello},
    {"ping", Verb::ping},
    {"activate", Verb::activate},
    {"checkout", Verb::checkout},
    {"heartbeat", Verb::heartbeat},
    {"checkin", Verb::checkin},
    {"status", Verb::status},
    {"quit", Verb::quit},
}};

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_value_char(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 0x21 && byte <= 0x7E;
}

bool is_blank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

std::string quoted(std::string_view text) {
  std::string out = "'";
  if (text.size() > kMaxQuoted) {
    out.append(text.substr(0, kMaxQuoted));
    out.append("...");
  } else {
    out.append(text);
  }
  out.push_back('\'');
  return out;
}

// The spec separates fields by one SP; runs of spaces (and leading or trailing ones) are
// accepted because hand-typed and naively joined lines contain them and their meaning is not in
// doubt. Anything inside a token is still held to the grammar.
std::vector<std::string_view> split_tokens(std::string_view line) {
  std::vector<std::string_view> tokens;
  std::size_t pos = 0;
  while (pos < line.size()) {
    if (line[pos] == ' ') {
      ++pos;
      continue;
    }
    const std::size_t end = line.find(' ', pos);
    const std::size_t stop = end == std::string_view::npos ? line.size() : end;
    tokens.push_back(line.substr(pos, stop - pos));
    pos = stop;
  }
  return tokens;
}

struct Field {
  std::string key;
  std::string value;
};

// Parses one field token, or returns the message for the bad_request it causes.
std::optional<std::string> parse_field(std::string_view token, Field& out) {
  const std::size_t eq = token.find('=');
  if (eq == std::string_view::npos) return "field " + quoted(token) + " has no '='";
  const std::string_view key = token.substr(0, eq);
  const std::string_view raw = token.substr(eq + 1);
  if (key.empty()) return "field " + quoted(token) + " has an empty key";
  for (char c : key) {
    if (!is_key_char(c)) {
      return "invalid key " + quoted(key) + " (keys are lowercase letters, digits and '_')";
    }
  }
  if (raw.empty()) return "field " + quoted(key) + " has an empty value";
  for (char c : raw) {
    if (!is_value_char(c)) return "field " + quoted(key) + " has an unencoded byte in its value";
  }
  auto decoded = percent_decode(raw);
  if (!decoded) return "field " + quoted(key) + " has a malformed percent escape";
  out.key.assign(key);
  out.value = std::move(*decoded);
  return std::nullopt;
}

std::optional<std::string> check_tag(const std::string& value) {
  if (value.size() > kMaxTagBytes) {
    return "field 'tag' is longer than " + std::to_string(kMaxTagBytes) + " bytes";
  }
  return std::nullopt;
}

// Finds a readable tag before anything else is judged, so that an error anywhere in the line
// still comes back with the tag the client uses to match it. A repeated tag is ambiguous, so
// none is echoed then.
std::optional<std::string> prescan_tag(const std::vector<std::string_view>& tokens) {
  std::optional<std::string> tag;
  bool seen = false;
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    const std::string_view token = tokens[i];
    if (token.size() <= kTagKey.size() || token.substr(0, kTagKey.size()) != kTagKey ||
        token[kTagKey.size()] != '=') {
      continue;
    }
    if (seen) return std::nullopt;
    seen = true;
    Field field;
    if (!parse_field(token, field) && !check_tag(field.value)) tag = std::move(field.value);
  }
  return tag;
}

ParseOutcome error(std::string_view code, std::string message, std::optional<std::string> tag) {
  ParseOutcome outcome;
  outcome.kind = ParseOutcome::Kind::error;
  outcome.error_code.assign(code);
  outcome.error_message = std::move(message);
  outcome.tag = std::move(tag);
  return outcome;
}

}  // namespace

ParseOutcome parse_request(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (is_blank(line)) return ParseOutcome{};

  const std::vector<std::string_view> tokens = split_tokens(line);
  std::optional<std::string> tag = prescan_tag(tokens);

  const std::string_view verb_text = tokens.front();
  std::string lowered;
  lowered.reserve(verb_text.size());
  for (char c : verb_text) {
    if (!is_alpha(c)) return error(kBadRequest, "malformed verb " + quoted(verb_text), tag);
    lowered.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
  Verb verb = Verb::unknown;
  for (const auto& [name, value] : kVerbs) {
    if (name == lowered) verb = value;
  }
  if (verb == Verb::unknown) return error(kUnknownVerb, "unknown verb " + quoted(verb_text), tag);

  ParseOutcome outcome;
  outcome.kind = ParseOutcome::Kind::request;
  Request& request = outcome.request;
  request.verb = verb;
  request.verb_text.assign(verb_text);
  bool tag_seen = false;
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    Field field;
    if (auto problem = parse_field(tokens[i], field)) return error(kBadRequest, *problem, tag);
    const bool repeated = field.key == kTagKey ? tag_seen : request.find(field.key) != nullptr;
    if (repeated) return error(kBadRequest, "repeated key " + quoted(field.key), tag);
    if (field.key == kTagKey) {
      if (auto problem = check_tag(field.value)) return error(kBadRequest, *problem, tag);
      tag_seen = true;
      request.tag = std::move(field.value);
      continue;
    }
    request.fields.emplace_back(std::move(field.key), std::move(field.value));
  }
  outcome.tag = request.tag;
  return outcome;
}

std::optional<std::int64_t> parse_count(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text.size() > 1 && text.front() == '0') return std::nullopt;
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const int digit = c - '0';
    if (value > (kMax - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace lmp::protocol
