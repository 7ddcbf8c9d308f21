// libFuzzer target: protocol::parse_request on arbitrary bytes, with the grammar's promises about
// accepted requests and a round trip (re-encode an accepted request, parse it, get it back).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/fuzz_check.hpp"
#include "protocol/percent.hpp"
#include "protocol/request.hpp"
#include "protocol/request_parser.hpp"
#include "protocol/response.hpp"

namespace {

using lmp::fuzz::check;
using lmp::protocol::ParseOutcome;
using lmp::protocol::Request;

std::string encode(const Request& request, std::string_view separator) {
  std::string line(separator);
  line.append(request.verb_text);
  if (request.tag) {
    line.append(separator);
    line.append("tag=");
    lmp::protocol::percent_encode_append(line, *request.tag);
  }
  for (const auto& [key, value] : request.fields) {
    line.append(separator);
    line.append(key);
    line.push_back('=');
    lmp::protocol::percent_encode_append(line, value);
  }
  line.append(separator);
  return line;
}

void check_accepted(const ParseOutcome& outcome, std::string_view line) {
  const Request& request = outcome.request;
  check(request.verb != lmp::protocol::Verb::unknown, "accepted request with an unknown verb",
        line);
  std::string upper;
  for (char c : request.verb_text) upper.push_back(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  check(upper == lmp::protocol::verb_name(request.verb), "verb does not match its text", line);
  check(outcome.tag == request.tag, "outcome tag differs from the request's", line);
  if (request.tag) {
    check(!request.tag->empty() && request.tag->size() <= lmp::protocol::kMaxTagBytes,
          "accepted tag is empty or too long", line);
  }
  for (std::size_t i = 0; i < request.fields.size(); ++i) {
    const auto& [key, value] = request.fields[i];
    check(lmp::fuzz::is_key(key) && key != "tag", "accepted field with a bad key", line);
    check(!value.empty(), "accepted field with an empty value", line);
    check(request.find(key) == &value, "accepted request repeats a key", line);
  }

  // Runs of spaces around and between words must not change the meaning.
  for (std::string_view separator : {" ", "   "}) {
    std::string again = encode(request, separator);
    if (separator == " ") again = again.substr(1, again.size() - 2);
    const ParseOutcome second = lmp::protocol::parse_request(again);
    check(second.kind == ParseOutcome::Kind::request, "re-encoded request is refused", again);
    check(second.request.verb == request.verb && second.request.verb_text == request.verb_text,
          "round trip changed the verb", again);
    check(second.request.fields == request.fields, "round trip changed the fields", again);
    check(second.request.tag == request.tag, "round trip changed the tag", again);
  }

  // The OK answer's head echoes the tag so that a client can match it.
  const std::string ok = lmp::protocol::Response::ok(request.tag).line();
  const lmp::fuzz::ResponseLine read = lmp::fuzz::read_response(ok);
  check(read.ok, "OK response reads as an error", ok);
  if (request.tag) {
    check(read.fields.size() == 1 && read.fields[0].first == "tag" &&
              read.fields[0].second == *request.tag,
          "OK response does not echo the tag", ok);
  } else {
    check(read.fields.empty(), "untagged OK response has fields", ok);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const ParseOutcome outcome = lmp::protocol::parse_request(line);
  switch (outcome.kind) {
    case ParseOutcome::Kind::empty:
      for (char c : line) {
        check(c == ' ' || c == '\t' || c == '\r', "a line with a word was taken as blank", line);
      }
      break;
    case ParseOutcome::Kind::error:
      check(outcome.error_code == "bad_request" || outcome.error_code == "unknown_verb",
            "error code outside bad_request/unknown_verb", outcome.error_code);
      check(!outcome.error_message.empty(), "error without a message", line);
      if (outcome.tag) {
        check(!outcome.tag->empty() && outcome.tag->size() <= lmp::protocol::kMaxTagBytes,
              "echoed tag is empty or too long", line);
      }
      lmp::fuzz::check_error_response(
          lmp::protocol::Response::error(outcome.tag, outcome.error_code, outcome.error_message)
              .line(),
          outcome.tag, outcome.error_code, outcome.error_message);
      break;
    case ParseOutcome::Kind::request:
      check_accepted(outcome, line);
      break;
  }
  return 0;
}
