// Usage reports through the real listeners on each storage backend: a scripted day of checkouts
// and checkins over the seat protocol, reported by GET /v1/usage with the peak the script itself
// saw, unit-hours, leases spanning the range's start clipped to it, periods and groups, CSV that
// an RFC 4180 reader parses, and each caller seeing only its own subtree's use; the refused
// checkouts counted by GET /v1/usage/denials, in JSON and CSV, scoped the same way.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "admin_fixture.hpp"
#include "support/line_client.hpp"

namespace lmp::test {
namespace {

namespace json = boost::json;

constexpr std::int64_t kT0 = kTestEpochMs / 1000;

// An RFC 4180 reader: records end with CRLF, fields are separated by commas, a quoted field may
// hold commas, doubled quotes and line breaks.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      record.push_back(std::move(field));
      field.clear();
      records.push_back(std::move(record));
      record.clear();
      ++i;
    } else {
      field += c;
    }
  }
  EXPECT_TRUE(field.empty() && record.empty()) << "the last record has no CRLF";
  return records;
}

class UsageReportsTest : public AdminApiTest {
 protected:
  void SetUp() override {
    AdminApiTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    msp_ = make_partner("msp-one", "msp");
    reseller_ = make_partner("reseller-one", "reseller");
    first_ = make_customer("first", msp_);
    second_ = make_customer("second", msp_);
    theirs_ = make_customer("theirs", reseller_);
    first_license_ = make_license(first_);
    second_license_ = make_license(second_);
    their_license_ = make_license(theirs_);
  }

  struct License {
    std::int64_t id = 0;
    std::string code;
  };
  License make_license(std::int64_t customer) {
    auto made = ok(root_token_, "POST", "/v1/licenses",
                   {{"customer", customer}, {"product", "cad"}, {"units", 10}, {"days", 365}});
    return {id_of(made), std::string(made.at("code").as_string())};
  }

  // The script: checkouts and checkins a minute apart, the units in use after each step counted
  // by the script itself (`seen_peak_`). Ends at kT0 + 240 with cy's 3 units still held.
  void run_script() {
    LineClient seat(server_->port(), "127.0.0.2");
    auto checkout = [&](const License& license, const std::string& user, int units) {
      const auto reply =
          fields_of(seat.request("CHECKOUT code=" + license.code + " user=" + user +
                                 " host=" + user + "-ws units=" + std::to_string(units)));
      EXPECT_EQ(reply.count("lease"), 1u) << user;
      in_use_[license.id] += units;
      seen_peak_[license.id] = std::max(seen_peak_[license.id], in_use_[license.id]);
      return std::tuple{reply.count("lease") ? reply.at("lease") : std::string(), license.id,
                        units};
    };
    auto checkin = [&](const std::tuple<std::string, std::int64_t, int>& lease) {
      EXPECT_EQ(status_of(seat.request("CHECKIN lease=" + std::get<0>(lease))), "OK");
      in_use_[std::get<1>(lease)] -= std::get<2>(lease);
    };
    auto heartbeat = [&](const std::tuple<std::string, std::int64_t, int>& lease) {
      EXPECT_EQ(status_of(seat.request("HEARTBEAT lease=" + std::get<0>(lease))), "OK");
    };
    const auto ann = checkout(first_license_, "ann", 2);  // kT0
    server_->advance_seconds(60);
    const auto bob = checkout(first_license_, "bob", 1);  // kT0 + 60
    server_->advance_seconds(60);
    checkin(ann);  // kT0 + 120
    heartbeat(bob);
    server_->advance_seconds(60);
    const auto cy = checkout(second_license_, "cy", 3);  // kT0 + 180
    checkout(their_license_, "dee", 1);
    server_->advance_seconds(60);
    checkin(bob);  // kT0 + 240
    heartbeat(cy);
  }

  json::array report(const std::string& token, const std::string& query) {
    return ok(token, "GET", "/v1/usage?" + query).at("items").as_array();
  }
  // The row of `field` = `id` among `rows`; a null object when there is none.
  static json::object row_of(const json::array& rows, const std::string& field, std::int64_t id) {
    for (const auto& row : rows)
      if (row.at(field) == id) return row.as_object();
    ADD_FAILURE() << "no row of " << field << " " << id << " in " << json::serialize(rows);
    return {};
  }
  static std::string range(std::int64_t from, std::int64_t to) {
    return "from=" + std::to_string(from) + "&to=" + std::to_string(to);
  }

  std::int64_t msp_ = 0, reseller_ = 0, first_ = 0, second_ = 0, theirs_ = 0;
  License first_license_, second_license_, their_license_;
  std::map<std::int64_t, std::int64_t> in_use_, seen_peak_;
};

INSTANTIATE_TEST_SUITE_P(Backends, UsageReportsTest, kStorageBackends, backend_name);

TEST_P(UsageReportsTest, ThePeakIsWhatTheScriptSawAndUnitHoursAddUp) {
  run_script();
  const auto rows = report(root_token_, range(kT0, kT0 + 3600));
  ASSERT_EQ(rows.size(), 3u) << json::serialize(rows);
  for (const auto& license : {first_license_, second_license_, their_license_})
    EXPECT_EQ(row_of(rows, "license", license.id).at("peak_units"), seen_peak_[license.id]);
  const auto first = row_of(rows, "license", first_license_.id);
  EXPECT_EQ(first.at("peak_units"), 3);
  EXPECT_EQ(first.at("product"), "cad");
  EXPECT_EQ(first.at("customer"), first_);
  EXPECT_EQ(first.at("partner"), msp_);
  // ann 2 units for 120 s, bob 1 unit for 180 s: 420 unit-seconds.
  EXPECT_DOUBLE_EQ(first.at("unit_hours").to_number<double>(), 0.117);
  EXPECT_EQ(first.at("checkouts"), 2);
  EXPECT_EQ(first.at("users"), 2);
  EXPECT_EQ(first.at("hosts"), 2);
  EXPECT_EQ(first.at("from"), kT0);
  // The range ends in the future: use is counted up to now.
  EXPECT_EQ(first.at("to"), kT0 + 240);
  // cy still holds 3 units: counted from kT0 + 180 to now.
  EXPECT_DOUBLE_EQ(row_of(rows, "license", second_license_.id).at("unit_hours").to_number<double>(),
                   0.05);

  // Per product: the peak of the sum, not the sum of the peaks (5 at kT0 + 180: bob, cy, dee).
  const auto products = report(root_token_, range(kT0, kT0 + 3600) + "&group=product");
  ASSERT_EQ(products.size(), 1u);
  EXPECT_EQ(products[0].at("product"), "cad");
  EXPECT_EQ(products[0].at("peak_units"), 5);
  EXPECT_FALSE(products[0].as_object().contains("license"));
}

TEST_P(UsageReportsTest, LeasesSpanningTheStartAreClippedToIt) {
  run_script();
  // From kT0 + 120: ann's lease ended then; bob's (since kT0 + 60) is counted from the start.
  auto rows = report(
      root_token_, range(kT0 + 120, kT0 + 3600) + "&license=" + std::to_string(first_license_.id));
  ASSERT_EQ(rows.size(), 1u) << json::serialize(rows);
  EXPECT_EQ(rows[0].at("peak_units"), 1);
  EXPECT_DOUBLE_EQ(rows[0].at("unit_hours").to_number<double>(), 0.033);  // 120 unit-seconds
  EXPECT_EQ(rows[0].at("checkouts"), 0);
  EXPECT_EQ(rows[0].at("users"), 1);
  // A lease still live, checked out before the range: cy's 3 units from kT0 + 200 to now.
  rows = report(root_token_,
                range(kT0 + 200, kT0 + 3600) + "&license=" + std::to_string(second_license_.id));
  ASSERT_EQ(rows.size(), 1u) << json::serialize(rows);
  EXPECT_EQ(rows[0].at("peak_units"), 3);
  EXPECT_DOUBLE_EQ(rows[0].at("unit_hours").to_number<double>(), 0.033);
  // A range wholly before the script: nothing.
  EXPECT_TRUE(report(root_token_, range(kT0 - 7200, kT0 - 3600)).empty());
}

TEST_P(UsageReportsTest, PeriodsSplitTheRangeAndCustomersAreBilledPerMonth) {
  run_script();
  // Minutes are no period; hours are: the script's 4 minutes fall in one hour.
  auto rows = report(root_token_, range(kT0 - 3600, kT0 + 3600) +
                                      "&period=hour&license=" + std::to_string(first_license_.id));
  ASSERT_EQ(rows.size(), 1u) << json::serialize(rows);
  EXPECT_EQ(rows[0].at("from"), kT0);
  // The MSP's billing: per customer of the partner, this month.
  rows = report(root_token_, "from=2026-01-01&to=2026-02-01&group=customer&period=month&partner=" +
                                 std::to_string(msp_));
  ASSERT_EQ(rows.size(), 2u) << json::serialize(rows);
  EXPECT_EQ(rows[0].at("customer"), first_);
  EXPECT_EQ(rows[0].at("partner"), msp_);
  EXPECT_EQ(rows[0].at("peak_units"), 3);
  EXPECT_EQ(rows[1].at("customer"), second_);
  EXPECT_EQ(rows[1].at("peak_units"), 3);
  EXPECT_EQ(rows[1].at("from"), kT0);
  EXPECT_EQ(rows[1].at("to"), kT0 + 240);
  // Average: 180 unit-seconds over the 240 s of the month so far.
  EXPECT_DOUBLE_EQ(rows[1].at("average_units").to_number<double>(), 0.75);
}

TEST_P(UsageReportsTest, CsvHasAHeaderAndParsesAsRfc4180) {
  run_script();
  for (const auto& [target, accept] :
       {std::pair{"/v1/usage?" + range(kT0, kT0 + 3600) + "&group=customer&format=csv", ""},
        std::pair{"/v1/usage?" + range(kT0, kT0 + 3600) + "&group=customer", "text/csv"}}) {
    HttpClient client(server_->admin_port());
    std::vector<std::string> headers{"Authorization: Bearer " + root_token_};
    if (*accept) headers.push_back(std::string("Accept: ") + accept);
    client.send_raw(request_text("GET", target, "", "application/json", headers));
    const auto reply = client.read_reply();
    ASSERT_TRUE(reply);
    ASSERT_EQ(reply->status, 200) << reply->body;
    EXPECT_EQ(reply->header("content-type").rfind("text/csv", 0), 0u)
        << reply->header("content-type");
    const auto records = parse_csv(reply->body);
    ASSERT_EQ(records.size(), 4u) << reply->body;
    EXPECT_EQ(records[0], (std::vector<std::string>{"customer", "partner", "from", "to",
                                                    "peak_units", "unit_hours", "average_units",
                                                    "checkouts", "users", "hosts"}));
    EXPECT_EQ(records[1], (std::vector<std::string>{std::to_string(first_), std::to_string(msp_),
                                                    "2026-01-01T00:00:00Z", "2026-01-01T00:04:00Z",
                                                    "3", "0.117", "1.750", "2", "2", "2"}));
  }
  // A user name with a comma and a quote is quoted.
  LineClient seat(server_->port());
  ASSERT_EQ(status_of(seat.request("CHECKOUT code=" + first_license_.code + " user=o\"neil,jr")),
            "OK");
  const auto reply =
      call(root_token_, "GET", "/v1/usage?" + range(kT0, kT0 + 3600) + "&group=user&format=csv");
  ASSERT_EQ(reply.status, 200);
  const auto records = parse_csv(reply.body);
  ASSERT_EQ(records.size(), 6u) << reply.body;  // ann, bob, cy, dee, o"neil,jr
  EXPECT_EQ(records[5][0], "o\"neil,jr");
  EXPECT_EQ(call(root_token_, "GET", "/v1/usage?" + range(kT0, kT0 + 60) + "&format=xml").status,
            400);
}

TEST_P(UsageReportsTest, EachCallerSeesTheUseOfItsOwnSubtree) {
  run_script();
  const auto msp = make_user("msp-admin", "account", msp_).token;
  const auto reseller = make_user("reseller-admin", "account", reseller_).token;
  const auto customer = make_user("first-admin", "customer", first_).token;
  const std::string all = range(kT0, kT0 + 3600) + "&group=customer";

  auto rows = report(msp, all);
  ASSERT_EQ(rows.size(), 2u) << json::serialize(rows);
  EXPECT_EQ(rows[0].at("customer"), first_);
  EXPECT_EQ(rows[1].at("customer"), second_);
  EXPECT_TRUE(report(msp, all + "&customer=" + std::to_string(theirs_)).empty());
  EXPECT_TRUE(report(msp, all + "&partner=" + std::to_string(reseller_)).empty());
  rows = report(customer, all);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("customer"), first_);
  EXPECT_TRUE(report(customer, all + "&customer=" + std::to_string(second_)).empty());
  // By product, a customer's user sees its own use only: ann's and bob's, peak 3.
  rows = report(customer, range(kT0, kT0 + 3600) + "&group=product");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("peak_units"), 3);

  // A reseller may not view license information by default; given it, it sees its customers'.
  EXPECT_EQ(call(reseller, "GET", "/v1/usage?" + all).status, 403);
  ok(root_token_, "PUT", "/v1/partners/" + std::to_string(reseller_) + "/permissions",
     {{"permissions", {"create_customers", "view_customers", "view_licenses"}}});
  rows = report(reseller, all);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("customer"), theirs_);
}

TEST_P(UsageReportsTest, MalformedOrUnboundedQueriesAreRefused) {
  for (const std::string query : {"", "from=yesterday", "from=2026-02-30", "from=100&to=100",
                                  "from=200&to=100", "from=0&group=nobody", "from=0&period=week",
                                  "from=0&to=36000000&period=hour", "from=0&license=x"}) {
    const auto reply = call(root_token_, "GET", "/v1/usage?" + query);
    EXPECT_EQ(reply.status, 400) << query << ": " << reply.body;
    EXPECT_EQ(reply.error_code(), "bad_request") << query;
  }
  EXPECT_EQ(call("", "GET", "/v1/usage?from=0").status, 401);
}

// Refused checkouts, counted by the fields asked for, over the range asked for, as each caller may
// see them.
TEST_P(UsageReportsTest, DenialsAreCountedByProductUserHostAndCodeInTheCallersSubtree) {
  LineClient seat(server_->port(), "127.0.0.2");
  auto checkout = [&](const License& license, const std::string& fields) {
    return status_of(seat.request("CHECKOUT code=" + license.code + " " + fields));
  };
  ASSERT_EQ(checkout(first_license_, "user=ann host=ann-ws units=10"), "OK");
  EXPECT_EQ(checkout(first_license_, "user=bob host=bob-ws units=2"), "no_seats");  // kT0
  server_->advance_seconds(60);
  EXPECT_EQ(checkout(first_license_, "user=bob host=bob-ws units=2"), "no_seats");  // kT0 + 60
  EXPECT_EQ(checkout(first_license_, "user=cy host=lab%2C2 product=agent"), "product_not_licensed");
  EXPECT_EQ(checkout(their_license_, "user=dee host=dee-ws units=11"), "no_seats");
  // A wrong code is a guess, not a use turned away: never counted here.
  EXPECT_EQ(status_of(seat.request("CHECKOUT code=AAAAA-AAAAA-AAAAA-AAAAA user=eve")),
            "invalid_code");

  auto denials = [&](const std::string& token, const std::string& query) {
    return ok(token, "GET", "/v1/usage/denials?" + query).at("items").as_array();
  };
  const std::string all = range(kT0, kT0 + 3600);
  const auto by_code = ok(root_token_, "GET", "/v1/usage/denials?" + all);
  EXPECT_EQ(json::serialize(by_code),
            json::serialize(json::parse(
                R"({"group":["product","code"],"from":)" + std::to_string(kT0) + R"(,"to":)" +
                std::to_string(kT0 + 3600) +
                R"(,"items":[{"product":"cad","code":"no_seats","denials":3,"units":15,"first":)" +
                std::to_string(kT0) + R"(,"last":)" + std::to_string(kT0 + 60) +
                R"(},{"product":"cad","code":"product_not_licensed","denials":1,"units":1,)"
                R"("first":)" +
                std::to_string(kT0 + 60) + R"(,"last":)" + std::to_string(kT0 + 60) + "}]}")));

  auto rows = denials(root_token_, all + "&group=user");
  ASSERT_EQ(rows.size(), 3u) << json::serialize(rows);
  EXPECT_EQ(rows[0].at("user"), "bob");
  EXPECT_EQ(rows[0].at("denials"), 2);
  EXPECT_EQ(rows[1].at("user"), "cy");
  EXPECT_EQ(rows[2].at("user"), "dee");
  // The range counts only what happened in it.
  rows = denials(root_token_, range(kT0 + 30, kT0 + 3600) + "&group=user&product=cad");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].at("denials"), 1);
  EXPECT_TRUE(denials(root_token_, range(kT0 - 3600, kT0)).empty());

  // CSV, read back by an RFC 4180 reader: the host with a comma is one field.
  const auto reply =
      call(root_token_, "GET", "/v1/usage/denials?" + all + "&group=host,code&format=csv");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.header("content-type").rfind("text/csv", 0), 0u);
  const auto records = parse_csv(reply.body);
  ASSERT_EQ(records.size(), 4u) << reply.body;
  EXPECT_EQ(records[0],
            (std::vector<std::string>{"host", "code", "denials", "units", "first", "last"}));
  EXPECT_EQ(records[1], (std::vector<std::string>{"bob-ws", "no_seats", "2", "4",
                                                  "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z"}));
  EXPECT_EQ(records[2][0], "dee-ws");
  EXPECT_EQ(records[3], (std::vector<std::string>{"lab,2", "product_not_licensed", "1", "1",
                                                  "2026-01-01T00:01:00Z", "2026-01-01T00:01:00Z"}));

  // Scoping: the MSP sees its customers' denials, a customer its own, a reseller (once it may
  // view licenses) only its customer's.
  const auto msp = make_user("msp-admin", "account", msp_).token;
  const auto reseller = make_user("reseller-admin", "account", reseller_).token;
  const auto customer = make_user("first-admin", "customer", first_).token;
  rows = denials(msp, all + "&group=customer,partner");
  ASSERT_EQ(rows.size(), 1u) << json::serialize(rows);
  EXPECT_EQ(rows[0].at("customer"), first_);
  EXPECT_EQ(rows[0].at("partner"), msp_);
  EXPECT_EQ(rows[0].at("denials"), 3);
  EXPECT_TRUE(denials(msp, all + "&customer=" + std::to_string(theirs_)).empty());
  rows = denials(customer, all + "&group=user");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("user"), "bob");
  EXPECT_EQ(rows[1].at("user"), "cy");
  EXPECT_EQ(call(reseller, "GET", "/v1/usage/denials?" + all).status, 403);
  ok(root_token_, "PUT", "/v1/partners/" + std::to_string(reseller_) + "/permissions",
     {{"permissions", {"create_customers", "view_customers", "view_licenses"}}});
  rows = denials(reseller, all + "&group=license,user,code");
  ASSERT_EQ(rows.size(), 1u) << json::serialize(rows);
  EXPECT_EQ(rows[0].at("license"), their_license_.id);
  EXPECT_EQ(rows[0].at("user"), "dee");
  EXPECT_EQ(rows[0].at("denials"), 1);

  for (const std::string query :
       {"", "from=0&to=0", "from=0&group=nobody", "from=0&group=user,user", "from=0&group=user,",
        "from=0&format=xml"}) {
    const auto refused = call(root_token_, "GET", "/v1/usage/denials?" + query);
    EXPECT_EQ(refused.status, 400) << query << ": " << refused.body;
    EXPECT_EQ(refused.error_code(), "bad_request") << query;
  }
  EXPECT_EQ(call("", "GET", "/v1/usage/denials?from=0").status, 401);
}

}  // namespace
}  // namespace lmp::test
