// Parsing request lines: verbs, fields, tags, blank lines and every malformed case the spec names.
#include "protocol/request_parser.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "protocol/percent.hpp"

namespace {

using lmp::protocol::parse_count;
using lmp::protocol::parse_request;
using lmp::protocol::ParseOutcome;
using lmp::protocol::Verb;
using Kind = ParseOutcome::Kind;

ParseOutcome expect_request(std::string_view line) {
  ParseOutcome outcome = parse_request(line);
  EXPECT_EQ(outcome.kind, Kind::request)
      << "line: " << line << " error: " << outcome.error_code << " " << outcome.error_message;
  return outcome;
}

ParseOutcome expect_error(std::string_view line, std::string_view code) {
  ParseOutcome outcome = parse_request(line);
  EXPECT_EQ(outcome.kind, Kind::error) << "line: " << line;
  EXPECT_EQ(outcome.error_code, code) << "line: " << line;
  EXPECT_FALSE(outcome.error_message.empty());
  return outcome;
}

TEST(RequestParser, EveryVerbCaseInsensitively) {
  const std::pair<std::string_view, Verb> verbs[] = {
      {"hello", Verb::hello},       {"ping", Verb::ping},           {"activate", Verb::activate},
      {"checkout", Verb::checkout}, {"heartbeat", Verb::heartbeat}, {"checkin", Verb::checkin},
      {"status", Verb::status},     {"quit", Verb::quit},
  };
  for (const auto& [name, verb] : verbs) {
    std::string upper(name);
    for (char& c : upper) c = static_cast<char>(c - 'a' + 'A');
    std::string mixed(name);
    mixed[0] = upper[0];
    for (const std::string& spelling : {std::string(name), upper, mixed}) {
      const ParseOutcome outcome = expect_request(spelling);
      EXPECT_EQ(outcome.request.verb, verb) << spelling;
      EXPECT_EQ(outcome.request.verb_text, spelling);
      EXPECT_EQ(lmp::protocol::verb_name(verb), upper);
    }
  }
}

TEST(RequestParser, FieldsAreDecodedInOrderAndTagIsSeparate) {
  const ParseOutcome outcome =
      expect_request("CHECKOUT code=12345-67890 tag=t%201 host=pc%2042 units=2 future_key=x");
  const auto& request = outcome.request;
  EXPECT_EQ(request.verb, Verb::checkout);
  ASSERT_EQ(request.fields.size(), 4u);
  EXPECT_EQ(request.fields[0], (std::pair<std::string, std::string>{"code", "12345-67890"}));
  EXPECT_EQ(request.fields[1], (std::pair<std::string, std::string>{"host", "pc 42"}));
  EXPECT_EQ(request.fields[2], (std::pair<std::string, std::string>{"units", "2"}));
  EXPECT_EQ(request.fields[3], (std::pair<std::string, std::string>{"future_key", "x"}));
  EXPECT_EQ(request.tag, "t 1");
  EXPECT_EQ(outcome.tag, "t 1");
  ASSERT_NE(request.find("host"), nullptr);
  EXPECT_EQ(*request.find("host"), "pc 42");
  EXPECT_EQ(request.find("tag"), nullptr);
  EXPECT_EQ(request.find("user"), nullptr);
}

TEST(RequestParser, ValuesMayContainAnyPrintableAscii) {
  const ParseOutcome outcome = expect_request("ACTIVATE code=a=b user=\"x\"!~");
  EXPECT_EQ(*outcome.request.find("code"), "a=b");
  EXPECT_EQ(*outcome.request.find("user"), "\"x\"!~");
}

TEST(RequestParser, TrailingCarriageReturnIsDropped) {
  const ParseOutcome outcome = expect_request("PING tag=abc\r");
  EXPECT_EQ(outcome.request.tag, "abc");
  EXPECT_EQ(expect_request("PING\r").request.verb, Verb::ping);
  // Only one CR is the terminator's; a second one is part of the tag's value and not allowed.
  expect_error("PING tag=abc\r\r", "bad_request");
}

TEST(RequestParser, BlankLinesGetNoAnswer) {
  for (std::string_view line : {"", "\r", "   ", " \t ", "\t", "  \r"}) {
    EXPECT_EQ(parse_request(line).kind, Kind::empty) << '"' << line << '"';
  }
}

TEST(RequestParser, RunsOfSpacesBetweenFieldsAreAccepted) {
  const ParseOutcome outcome = expect_request("  HEARTBEAT   lease=abc  tag=1 ");
  EXPECT_EQ(outcome.request.verb, Verb::heartbeat);
  EXPECT_EQ(*outcome.request.find("lease"), "abc");
  EXPECT_EQ(outcome.request.tag, "1");
}

TEST(RequestParser, RepeatedKeyIsBadRequest) {
  const ParseOutcome outcome = expect_error("CHECKIN lease=a lease=b", "bad_request");
  EXPECT_EQ(outcome.error_message, "repeated key 'lease'");
  expect_error("PING tag=a tag=b", "bad_request");
}

TEST(RequestParser, MalformedFieldsAreBadRequestNamingTheField) {
  EXPECT_NE(expect_error("STATUS Code=1", "bad_request").error_message.find("'Code'"),
            std::string::npos);
  EXPECT_NE(expect_error("STATUS co-de=1", "bad_request").error_message.find("'co-de'"),
            std::string::npos);
  EXPECT_NE(expect_error("STATUS =1", "bad_request").error_message.find("'=1'"), std::string::npos);
  EXPECT_NE(expect_error("STATUS code", "bad_request").error_message.find("'code'"),
            std::string::npos);
  EXPECT_NE(expect_error("STATUS code=", "bad_request").error_message.find("'code'"),
            std::string::npos);
  EXPECT_NE(expect_error("STATUS code=%4", "bad_request").error_message.find("'code'"),
            std::string::npos);
  EXPECT_NE(expect_error("STATUS code=%zz1", "bad_request").error_message.find("'code'"),
            std::string::npos);
  EXPECT_NE(expect_error("STATUS code=a\tb", "bad_request").error_message.find("'code'"),
            std::string::npos);
  expect_error("STATUS code=\xc3\xa9", "bad_request");
}

TEST(RequestParser, MalformedAndUnknownVerbs) {
  expect_error("PING1", "bad_request");
  expect_error("CHECK-OUT code=1", "bad_request");
  expect_error("tag=x", "bad_request");
  expect_error("\tPING", "bad_request");
  const ParseOutcome unknown = expect_error("FROB x=1", "unknown_verb");
  EXPECT_NE(unknown.error_message.find("'FROB'"), std::string::npos);
  EXPECT_EQ(unknown.tag, std::nullopt);
}

TEST(RequestParser, TagLengthLimitIs64BytesAfterDecoding) {
  const std::string tag64(64, 'x');
  EXPECT_EQ(expect_request("PING tag=" + tag64).request.tag, tag64);
  const ParseOutcome too_long = expect_error("PING tag=" + std::string(65, 'x'), "bad_request");
  EXPECT_EQ(too_long.tag, std::nullopt);
  // 64 decoded bytes written as 192 encoded ones are fine; the limit is on the decoded tag.
  std::string encoded;
  for (int i = 0; i < 64; ++i) encoded += "%20";
  EXPECT_EQ(expect_request("PING tag=" + encoded).request.tag, std::string(64, ' '));
}

TEST(RequestParser, TagIsEchoedOnLaterErrors) {
  EXPECT_EQ(expect_error("CHECKIN lease=a lease=b tag=t7", "bad_request").tag, "t7");
  EXPECT_EQ(expect_error("CHECKIN Lease=a tag=t%207", "bad_request").tag, "t 7");
  EXPECT_EQ(expect_error("CHECKIN lease=%zz tag=q", "bad_request").tag, "q");
  EXPECT_EQ(expect_error("PING! tag=q", "bad_request").tag, "q");
  EXPECT_EQ(expect_error("FROB tag=abc", "unknown_verb").tag, "abc");
  EXPECT_EQ(expect_error("frob x=1 tag=abc", "unknown_verb").tag, "abc");
  // An unreadable tag cannot be echoed.
  EXPECT_EQ(expect_error("PING tag=%zz", "bad_request").tag, std::nullopt);
  EXPECT_EQ(expect_error("PING tag=", "bad_request").tag, std::nullopt);
  // Two tags are ambiguous, so neither is echoed.
  EXPECT_EQ(expect_error("PING tag=a tag=b", "bad_request").tag, std::nullopt);
}

// Random lines over an alphabet rich in grammar characters: the parser must always classify them,
// and any line it accepts must mean the same after re-encoding (what a proxy or client would do).
TEST(RequestParser, RandomLinesAreClassifiedAndAcceptedOnesReencodeStably) {
  static constexpr std::string_view kAlphabet =
      "pingPINGtagTAG=%%2041zz _-\t\r\x01\xff"
      "09";
  const std::string_view prefixes[] = {"", "PING ", "checkout ", "STATUS code=1 "};
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::size_t> pick(0, kAlphabet.size() - 1);
  std::uniform_int_distribution<int> length(0, 24);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string line(prefixes[i % 4]);
    for (int n = length(rng); n > 0; --n) line.push_back(kAlphabet[pick(rng)]);
    const ParseOutcome outcome = parse_request(line);
    if (outcome.kind == Kind::error) {
      ASSERT_TRUE(outcome.error_code == "bad_request" || outcome.error_code == "unknown_verb");
      ASSERT_FALSE(outcome.error_message.empty());
      continue;
    }
    if (outcome.kind == Kind::empty) continue;
    ++accepted;
    const auto& request = outcome.request;
    ASSERT_NE(request.verb, Verb::unknown);
    std::string rebuilt = request.verb_text;
    if (request.tag) {
      rebuilt += " tag=";
      lmp::protocol::percent_encode_append(rebuilt, *request.tag);
    }
    for (const auto& [key, value] : request.fields) {
      rebuilt += " " + key + "=";
      lmp::protocol::percent_encode_append(rebuilt, value);
    }
    const ParseOutcome again = parse_request(rebuilt);
    ASSERT_EQ(again.kind, Kind::request) << rebuilt;
    ASSERT_EQ(again.request.verb, request.verb);
    ASSERT_EQ(again.request.fields, request.fields);
    ASSERT_EQ(again.request.tag, request.tag);
  }
  EXPECT_GT(accepted, 100);
}

TEST(ParseCount, AcceptsOnlyCanonicalNonNegativeDecimals) {
  EXPECT_EQ(parse_count("0"), 0);
  EXPECT_EQ(parse_count("1"), 1);
  EXPECT_EQ(parse_count("300"), 300);
  EXPECT_EQ(parse_count("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(parse_count("9223372036854775808"), std::nullopt);
  EXPECT_EQ(parse_count("99999999999999999999"), std::nullopt);
  EXPECT_EQ(parse_count("01"), std::nullopt);
  EXPECT_EQ(parse_count("00"), std::nullopt);
  EXPECT_EQ(parse_count("-1"), std::nullopt);
  EXPECT_EQ(parse_count("+1"), std::nullopt);
  EXPECT_EQ(parse_count(""), std::nullopt);
  EXPECT_EQ(parse_count("1 "), std::nullopt);
  EXPECT_EQ(parse_count("1e3"), std::nullopt);
  EXPECT_EQ(parse_count("0x10"), std::nullopt);
}

}  // namespace
