// CSV records as RFC 4180 writes them: quoted only when needed, quotes doubled, CRLF ends.
#include <gtest/gtest.h>

#include "http/csv.hpp"

namespace lmp::http {
namespace {

TEST(Csv, FieldsAreQuotedOnlyWhenTheyNeedIt) {
  EXPECT_EQ(csv_field("cad"), "cad");
  EXPECT_EQ(csv_field(""), "");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\r\nlines"), "\"two\r\nlines\"");
  EXPECT_EQ(csv_field("one\nline"), "\"one\nline\"");
}

TEST(Csv, ARecordEndsWithCrlf) {
  std::string out;
  append_csv_record(out, {"product", "peak_units"});
  append_csv_record(out, {"c,a,d", "3"});
  append_csv_record(out, {"", ""});
  EXPECT_EQ(out, "product,peak_units\r\n\"c,a,d\",3\r\n,\r\n");
}

}  // namespace
}  // namespace lmp::http
