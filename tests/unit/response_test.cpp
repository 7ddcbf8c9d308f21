// Response lines: tag first, fields in order, msg last, values percent-encoded.
#include "protocol/response.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace {

using lmp::protocol::Response;

TEST(Response, OkWithoutAndWithTag) {
  EXPECT_EQ(Response::ok(std::nullopt).line(), "OK\n");
  EXPECT_EQ(Response::ok(std::string("t1")).line(), "OK tag=t1\n");
  EXPECT_TRUE(Response::ok(std::nullopt).is_ok());
  EXPECT_EQ(Response::ok(std::nullopt).code(), "");
}

TEST(Response, TagComesFirstAndValuesAreEncoded) {
  Response response = Response::ok(std::string("a b=c"));
  response.field("lease", "0123abcd").field("units", std::int64_t{3});
  response.field("server", "license server #1").field("expires", std::int64_t{-5});
  EXPECT_EQ(response.line(),
            "OK tag=a%20b%3Dc lease=0123abcd units=3 server=license%20server%20#1 expires=-5\n");
}

TEST(Response, ErrorCarriesCodeTagFieldsThenMsg) {
  Response response = Response::error(std::string("x"), "rate_limited", "too many bad codes");
  response.field("retry_after", std::int64_t{30});
  EXPECT_FALSE(response.is_ok());
  EXPECT_EQ(response.code(), "rate_limited");
  EXPECT_EQ(response.line(),
            "ERR rate_limited tag=x retry_after=30 msg=too%20many%20bad%20codes\n");
  EXPECT_EQ(Response::error(std::nullopt, "no_seats", "all 5% used").line(),
            "ERR no_seats msg=all%205%25%20used\n");
}

TEST(Response, EmptyValuesAreLeftOutAndEmptyMessageFallsBackToCode) {
  Response response = Response::ok(std::nullopt);
  response.field("server", "").field("proto", std::int64_t{1});
  EXPECT_EQ(response.line(), "OK proto=1\n");
  // A literal 0 must pick the integer overload, not the null-pointer-to-string_view one.
  EXPECT_EQ(Response::ok(std::nullopt).field("used", 0).line(), "OK used=0\n");
  EXPECT_EQ(Response::error(std::nullopt, "internal", "").line(), "ERR internal msg=internal\n");
}

TEST(Response, ControlAndNonAsciiBytesAreEncoded) {
  Response response = Response::ok(std::nullopt);
  response.field("user", "j\xc3\xa9r\xc3\xb4me\n");
  EXPECT_EQ(response.line(), "OK user=j%C3%A9r%C3%B4me%0A\n");
}

}  // namespace
