// Reading admin requests without the store: path ids, query parameters, pagination, body fields.
#include "http/admin_request.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>
#include <vector>

namespace {

namespace ar = lmp::http::admin_request;
using lmp::http::ApiError;

int status_of(auto&& call) {
  try {
    call();
  } catch (const ApiError& e) {
    return e.status();
  }
  return 200;
}

boost::json::object body(const std::string& text) {
  return boost::json::parse(text).as_object();
}

TEST(AdminRequest, PathIdIsAPositiveCountOr404) {
  const std::vector<std::string> params{"42", "0", "007", "-1", "x", "9223372036854775808"};
  EXPECT_EQ(ar::path_id(params, 0, "partner"), 42);
  for (std::size_t n = 1; n <= params.size(); ++n) {
    EXPECT_EQ(status_of([&] { ar::path_id(params, n, "partner"); }), 404) << n;
  }
}

TEST(AdminRequest, QueryParametersArePercentDecoded) {
  EXPECT_EQ(ar::query("a=1&name=b+c%21&x", "name"), "b c!");
  EXPECT_EQ(ar::query("a=1&x", "x"), "");
  EXPECT_EQ(ar::query("a=1", "name"), std::nullopt);
  EXPECT_EQ(status_of([] { ar::query("name=%zz", "name"); }), 400);
  EXPECT_EQ(ar::query_id("customer=12", "customer"), 12);
  EXPECT_EQ(status_of([] { ar::query_id("customer=-1", "customer"); }), 400);
}

TEST(AdminRequest, PageHasDefaultsAndBounds) {
  EXPECT_EQ(ar::page("").limit, 100);
  EXPECT_EQ(ar::page("").after, 0);
  const auto page = ar::page("limit=1000&after=7");
  EXPECT_EQ(page.limit, 1000);
  EXPECT_EQ(page.after, 7);
  for (const char* bad : {"limit=0", "limit=1001", "limit=x", "after=", "after=-3"}) {
    EXPECT_EQ(status_of([&] { ar::page(bad); }), 400) << bad;
  }
}

TEST(AdminRequest, BodyFields) {
  const auto fields = body(R"({"name": "Fabrikam", "empty": "", "number": 5, "zero": 0,
                              "nothing": null, "long": ")" +
                           std::string(201, 'a') + R"("})");
  EXPECT_EQ(ar::text(fields, "name"), "Fabrikam");
  EXPECT_EQ(ar::optional_text(fields, "nothing"), std::nullopt);
  EXPECT_EQ(ar::optional_text(fields, "absent"), std::nullopt);
  EXPECT_EQ(ar::optional_id(fields, "number"), 5);
  EXPECT_EQ(ar::optional_id(fields, "nothing"), std::nullopt);
  for (const char* field : {"empty", "number", "long", "absent"}) {
    EXPECT_EQ(status_of([&] { ar::text(fields, field); }), 400) << field;
  }
  for (const char* field : {"zero", "name"}) {
    EXPECT_EQ(status_of([&] { ar::optional_id(fields, field); }), 400) << field;
  }
}

}  // namespace
