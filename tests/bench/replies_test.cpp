// The wire formats lmp-bench reads and writes: seat-protocol answers and RESP.
#include <gtest/gtest.h>

#include "lmp_bench/replies.hpp"

namespace lmp::bench {
namespace {

TEST(BenchSeatAnswer, OkCarriesTheLease) {
  Outcome o = parse_seat_answer("OK lease=9f0c5e1b units=1 expires=1795838700 heartbeat=120");
  EXPECT_TRUE(o.ok);
  EXPECT_EQ(o.lease, "9f0c5e1b");
  EXPECT_TRUE(o.error.empty());

  // A tag comes first; the lease stays as sent, escapes included (the server decodes it).
  Outcome tagged = parse_seat_answer("OK tag=s1 lease=a%20b units=1\r");
  EXPECT_TRUE(tagged.ok);
  EXPECT_EQ(tagged.lease, "a%20b");

  EXPECT_TRUE(parse_seat_answer("OK").ok);
  EXPECT_EQ(parse_seat_answer("OK expires=1").lease, "");
}

TEST(BenchSeatAnswer, ErrCarriesTheCode) {
  Outcome o = parse_seat_answer("ERR no_seats msg=all%20units%20in%20use");
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.error, "no_seats");
  EXPECT_EQ(parse_seat_answer("ERR lease_unknown").error, "lease_unknown");
  EXPECT_EQ(parse_seat_answer("ERR rate_limited retry_after=30 msg=x").error, "rate_limited");
}

TEST(BenchSeatAnswer, AnythingElseBreaksTheConnection) {
  EXPECT_THROW(parse_seat_answer("HELLO"), ReplyError);
  EXPECT_THROW(parse_seat_answer(""), ReplyError);
  EXPECT_THROW(parse_seat_answer("ERR"), ReplyError);
  EXPECT_THROW(parse_seat_answer("OKAY lease=1"), ReplyError);
}

TEST(BenchSeatAnswer, FieldsAreFoundWholeWords) {
  EXPECT_EQ(field_value("OK units=3 lease=abc", "lease"), "abc");
  EXPECT_EQ(field_value("OK xlease=1 lease=2", "lease"), "2");
  EXPECT_EQ(field_value("OK lease_id=1", "lease"), "");
}

TEST(BenchSeatAnswer, CodesArePercentEncodedWhereTheProtocolNeedsIt) {
  std::string out;
  append_percent_encoded(out, "12345-67890");
  EXPECT_EQ(out, "12345-67890");
  out.clear();
  append_percent_encoded(out, "a b=c%\x01\xff");
  EXPECT_EQ(out, "a%20b%3Dc%25%01%FF");
}

TEST(BenchResp, Integers) {
  RespValue v;
  EXPECT_EQ(parse_resp(":1\r\n", v), 4u);
  EXPECT_EQ(v.kind, RespValue::Kind::integer);
  EXPECT_EQ(v.integer, 1);
  EXPECT_EQ(parse_resp(":-42\r\n:7\r\n", v), 6u);
  EXPECT_EQ(v.integer, -42);
  EXPECT_THROW(parse_resp(":4x\r\n", v), ReplyError);
}

TEST(BenchResp, SimpleStringsAndErrors) {
  RespValue v;
  EXPECT_EQ(parse_resp("+OK\r\n", v), 5u);
  EXPECT_EQ(v.kind, RespValue::Kind::simple);
  EXPECT_EQ(v.text, "OK");
  std::string_view err = "-NOSCRIPT No matching script. Please use EVAL.\r\n";
  EXPECT_EQ(parse_resp(err, v), err.size());
  EXPECT_EQ(v.kind, RespValue::Kind::error);
  EXPECT_EQ(resp_error_code(v.text), "NOSCRIPT");
  EXPECT_EQ(resp_error_code("BUSY"), "BUSY");
}

TEST(BenchResp, BulkStrings) {
  RespValue v;
  std::string_view sha = "$40\r\n0123456789012345678901234567890123456789\r\n";
  EXPECT_EQ(parse_resp(sha, v), sha.size());
  EXPECT_EQ(v.kind, RespValue::Kind::bulk);
  EXPECT_EQ(v.text, "0123456789012345678901234567890123456789");
  // A bulk string may hold CR LF itself.
  EXPECT_EQ(parse_resp("$4\r\na\r\nb\r\n", v), 10u);
  EXPECT_EQ(v.text, "a\r\nb");
  EXPECT_EQ(parse_resp("$0\r\n\r\n", v), 6u);
  EXPECT_EQ(v.text, "");
  EXPECT_EQ(parse_resp("$-1\r\n", v), 5u);
  EXPECT_EQ(v.kind, RespValue::Kind::null);
  EXPECT_THROW(parse_resp("$3\r\nabcd\r\n", v), ReplyError);
}

TEST(BenchResp, Arrays) {
  RespValue v;
  std::string_view in = "*3\r\n:1\r\n$3\r\nfoo\r\n*2\r\n+a\r\n-ERR x\r\n";
  EXPECT_EQ(parse_resp(in, v), in.size());
  ASSERT_EQ(v.kind, RespValue::Kind::array);
  ASSERT_EQ(v.elements.size(), 3u);
  EXPECT_EQ(v.elements[0].integer, 1);
  EXPECT_EQ(v.elements[1].text, "foo");
  ASSERT_EQ(v.elements[2].elements.size(), 2u);
  EXPECT_EQ(v.elements[2].elements[0].text, "a");
  EXPECT_EQ(v.elements[2].elements[1].kind, RespValue::Kind::error);
  EXPECT_EQ(parse_resp("*0\r\n", v), 4u);
  EXPECT_TRUE(v.elements.empty());
  EXPECT_EQ(parse_resp("*-1\r\n", v), 5u);
  EXPECT_EQ(v.kind, RespValue::Kind::null);
}

TEST(BenchResp, EveryPrefixOfAReplyIsIncomplete) {
  std::string_view in = "*2\r\n$5\r\nhello\r\n:12\r\n";
  RespValue v;
  for (std::size_t n = 0; n < in.size(); ++n) {
    EXPECT_EQ(parse_resp(in.substr(0, n), v), 0u) << n;
  }
  EXPECT_EQ(parse_resp(in, v), in.size());
}

TEST(BenchResp, LinesOfOtherProtocolsAreRefusedAtOnce) {
  RespValue v;
  EXPECT_THROW(parse_resp("ERR bad_request msg=x\n", v), ReplyError);
  EXPECT_THROW(parse_resp("E", v), ReplyError);
}

TEST(BenchResp, CommandsAreArraysOfBulkStrings) {
  std::string out;
  append_resp_command(out, {"EVALSHA", "abc", "1", "key:1", ""});
  EXPECT_EQ(out, "*5\r\n$7\r\nEVALSHA\r\n$3\r\nabc\r\n$1\r\n1\r\n$5\r\nkey:1\r\n$0\r\n\r\n");
  // What is written reads back as the same array.
  RespValue v;
  ASSERT_EQ(parse_resp(out, v), out.size());
  ASSERT_EQ(v.elements.size(), 5u);
  EXPECT_EQ(v.elements[3].text, "key:1");
}

}  // namespace
}  // namespace lmp::bench
