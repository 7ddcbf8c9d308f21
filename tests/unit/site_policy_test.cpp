// The site policy as a domain rule: reading its JSON with every problem at its path, the
// reservation check against licenses, CIDR ranges, and what the compiled policy lets through.
#include "domain/site_policy.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <thread>

namespace lmp::domain {
namespace {

PolicyParse parse(const std::string& text) {
  return parse_site_policy(std::string_view(text));
}

bool has_problem(const PolicyParse& parsed, const std::string& path, const std::string& part) {
  for (const auto& p : parsed.problems)
    if (p.path == path && p.message.find(part) != std::string::npos) return true;
  return false;
}

constexpr const char* kGood = R"({
  "product": "CAD",
  "groups": {
    "design": {"users": ["alice", "bob"], "groups": ["leads"]},
    "leads": {"users": ["carol"], "hosts": ["ws-lead"]},
    "lab": {"addresses": ["10.1.0.0/16", "2001:db8::/32"]},
    "contractors": {"users": ["mallory"]}
  },
  "include": ["group:design", "group:lab", "host:build1"],
  "exclude": ["group:contractors", "address:10.1.9.0/24"],
  "reserve": [{"for": "group:design", "units": 3}],
  "max": [{"for": "user:*", "units": 2}, {"for": "group:lab", "units": 4}],
  "linger": 30,
  "borrow": {"allowed": true, "max_seconds": 604800, "max_units": 2}
})";

TEST(SitePolicy, ReadsEveryRuleAndWritesItBack) {
  auto parsed = parse(kGood);
  ASSERT_TRUE(parsed.problems.empty()) << problems_message(parsed.problems);
  const auto& p = parsed.policy;
  EXPECT_EQ(p.product, "CAD");
  EXPECT_EQ(p.groups.size(), 4u);
  EXPECT_EQ(p.include.size(), 3u);
  EXPECT_EQ(p.exclude.size(), 2u);
  ASSERT_EQ(p.max.size(), 2u);
  EXPECT_TRUE(p.max[0].subject.each);
  EXPECT_EQ(p.max[1].units, 4);
  EXPECT_EQ(p.linger_seconds, 30);
  EXPECT_TRUE(p.borrow.allowed);
  EXPECT_EQ(p.borrow.max_units, 2);

  auto again = parse(site_policy_text(p));
  ASSERT_TRUE(again.problems.empty()) << problems_message(again.problems);
  EXPECT_EQ(site_policy_text(again.policy), site_policy_text(p));
}

TEST(SitePolicy, AnEmptyPolicyIsForAllProducts) {
  auto parsed = parse("{}");
  EXPECT_TRUE(parsed.problems.empty());
  EXPECT_EQ(parsed.policy.product, "");
  EXPECT_EQ(parse(R"({"product": null})").policy.product, "");
}

TEST(SitePolicy, NamesEveryProblemAtItsPath) {
  auto parsed = parse(R"({
    "groups": {
      "loop": {"groups": ["loop"]},
      "a": {"groups": ["b"]}, "b": {"groups": ["a"]},
      "net": {"addresses": ["10.0.0.0/8", "10.0.0.0/33", "fe80::1/129", "nonsense"],
              "colour": "blue"},
      "refs": {"groups": ["ghost"]}
    },
    "include": ["group:nobody", "user", "planet:mars", "user:*"],
    "exclude": ["address:300.1.1.1"],
    "reserve": [{"for": "user:alice", "units": -1}, {"units": 2}],
    "max": [{"for": "user:*", "units": 1000000000000}, {"for": "host:x", "units": "two"}],
    "linger": 999999999,
    "borrow": {"allowed": "yes", "max_seconds": -5},
    "colour": 1
  })");
  EXPECT_TRUE(has_problem(parsed, "groups.loop.groups", "includes itself: loop -> loop"));
  EXPECT_TRUE(has_problem(parsed, "groups.a.groups", "includes itself"));
  EXPECT_TRUE(has_problem(parsed, "groups.net.addresses[1]", "malformed CIDR \"10.0.0.0/33\""));
  EXPECT_TRUE(has_problem(parsed, "groups.net.addresses[2]", "malformed CIDR"));
  EXPECT_TRUE(has_problem(parsed, "groups.net.addresses[3]", "malformed CIDR \"nonsense\""));
  EXPECT_FALSE(has_problem(parsed, "groups.net.addresses[0]", ""));
  EXPECT_TRUE(has_problem(parsed, "groups.net.colour", "unknown field"));
  EXPECT_TRUE(has_problem(parsed, "groups.refs.groups[0]", "unknown group \"ghost\""));
  EXPECT_TRUE(has_problem(parsed, "include[0]", "unknown group \"nobody\""));
  EXPECT_TRUE(has_problem(parsed, "include[1]", "must be user:NAME"));
  EXPECT_TRUE(has_problem(parsed, "include[2]", "unknown kind \"planet\""));
  EXPECT_TRUE(has_problem(parsed, "include[3]", "only max rules"));
  EXPECT_TRUE(has_problem(parsed, "exclude[0]", "malformed CIDR \"300.1.1.1\""));
  EXPECT_TRUE(has_problem(parsed, "reserve[0].units", "must be 0 to 1000000, not -1"));
  EXPECT_TRUE(has_problem(parsed, "reserve[1].for", "missing"));
  EXPECT_TRUE(has_problem(parsed, "max[0].units", "not 1000000000000"));
  EXPECT_TRUE(has_problem(parsed, "max[1].units", "whole number"));
  EXPECT_TRUE(has_problem(parsed, "linger", "must be 0 to 86400, not 999999999"));
  EXPECT_TRUE(has_problem(parsed, "borrow.allowed", "true or false"));
  EXPECT_TRUE(has_problem(parsed, "borrow.max_seconds", "not -5"));
  EXPECT_TRUE(has_problem(parsed, "colour", "unknown field"));
  const auto message = problems_message(parsed.problems);
  EXPECT_NE(message.find("linger: must be 0 to 86400"), std::string::npos) << message;
}

TEST(SitePolicy, RefusesWhatIsNotAPolicy) {
  EXPECT_TRUE(has_problem(parse("[1]"), "$", "must be a JSON object"));
  EXPECT_TRUE(has_problem(parse("{nope"), "$", "not JSON"));
  EXPECT_TRUE(has_problem(parse(R"({"groups": []})"), "groups", "object"));
}

TEST(SitePolicy, ReservationsMustFitEachProductsLicensesTogetherWithTheFigures) {
  auto parsed = parse(R"({"product": "CAD", "reserve": [{"for": "user:a", "units": 3},
                                                         {"for": "host:h", "units": 4}]})");
  ASSERT_TRUE(parsed.problems.empty());
  auto problems = check_reservations(parsed.policy, {{7, "CAD", 5}, {9, "CAM", 1}});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].path, "reserve");
  EXPECT_EQ(problems[0].message,
            "the reservations sum to 7 units, above the 5 units of license 7 (CAD)");
  // A customer's licenses of one product are one pool: 5 and 10 hold 7 together.
  const std::vector<PolicyLicense> licenses = {{7, "CAD", 5}, {8, "CAD", 10}, {9, "CAM", 1}};
  EXPECT_TRUE(check_reservations(parsed.policy, licenses).empty());
  problems = check_reservations(parsed.policy, {{7, "CAD", 3}, {8, "CAD", 3}});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message,
            "the reservations sum to 7 units, above the 6 units of licenses 7, 8 together (CAD)");
  parsed.policy.product.clear();  // for every product: CAM's one unit too
  problems = check_reservations(parsed.policy, licenses);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].message.find("1 units of license 9 (CAM)"), std::string::npos);
}

TEST(SitePolicy, ThePoolIsTheCustomersLicensesOfTheProductThatServe) {
  // The checkout's own license (19) always, the others only while they serve; in id order.
  const auto pool = license_pool(19, 4, {{11, 5, false}, {12, 10, true}, {19, 4, true}});
  EXPECT_EQ(pool.licenses, (std::vector<std::int64_t>{12, 19}));
  EXPECT_EQ(pool.units, 14);
  const auto alone = license_pool(12, 10, {});
  EXPECT_EQ(alone.licenses, (std::vector<std::int64_t>{12}));
  EXPECT_EQ(alone.units, 10);
}

TEST(SitePolicy, CidrRangesOfBothFamilies) {
  auto v4 = parse_cidr("192.168.4.0/22");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->contains(*parse_address("192.168.7.255")));
  EXPECT_FALSE(v4->contains(*parse_address("192.168.8.0")));
  EXPECT_FALSE(v4->contains(*parse_address("2001:db8::1")));
  auto host = parse_cidr("10.0.0.5");
  ASSERT_TRUE(host);
  EXPECT_TRUE(host->contains(*parse_address("10.0.0.5")));
  EXPECT_FALSE(host->contains(*parse_address("10.0.0.6")));
  auto v6 = parse_cidr("2001:db8:ab00::/40");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(*parse_address("2001:db8:abff::1")));
  EXPECT_FALSE(v6->contains(*parse_address("2001:db8:ac00::1")));
  EXPECT_TRUE(parse_cidr("0.0.0.0/0")->contains(*parse_address("8.8.8.8")));
  for (const char* bad :
       {"10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/08", "10.0.0/8", "::1/200", "1.2.3.4/32x", "", "/8"})
    EXPECT_FALSE(parse_cidr(bad)) << bad;
}

TEST(SitePolicy, IncludeExcludeAndGroupsDecideWhoMayCheckOut) {
  auto parsed = parse(kGood);
  ASSERT_TRUE(parsed.problems.empty());
  CompiledPolicy policy(parsed.policy);
  EXPECT_FALSE(policy.refusal({"alice", "ws9", "192.0.2.1"}));
  EXPECT_FALSE(policy.refusal({"carol", "", ""}));  // through leads, which design includes
  EXPECT_FALSE(policy.refusal({"", "ws-lead", ""}));
  EXPECT_FALSE(policy.refusal({"zed", "", "10.1.2.3"}));     // lab by address
  EXPECT_FALSE(policy.refusal({"zed", "", "2001:db8::7"}));  // lab by IPv6 address
  EXPECT_FALSE(policy.refusal({"zed", "build1", ""}));
  auto outsider = policy.refusal({"zed", "ws9", "192.0.2.1"});
  ASSERT_TRUE(outsider);
  EXPECT_NE(outsider->find("include list"), std::string::npos);
  // Exclude wins over include.
  auto contractor = policy.refusal({"mallory", "build1", ""});
  ASSERT_TRUE(contractor);
  EXPECT_NE(contractor->find("group:contractors"), std::string::npos);
  EXPECT_TRUE(policy.refusal({"alice", "", "10.1.9.20"}));
}

TEST(SitePolicy, LimitsCountTheLeasesTheyApplyTo) {
  auto parsed = parse(kGood);
  ASSERT_TRUE(parsed.problems.empty());
  CompiledPolicy policy(parsed.policy);
  const auto& each_user = policy.policy().max[0];
  const auto& lab = policy.policy().max[1];
  const PolicyHolder alice{"alice", "ws1", "10.1.0.1"};
  EXPECT_TRUE(policy.names(each_user.subject, alice));
  EXPECT_TRUE(policy.counts_against(each_user, alice, {"alice", "ws2", ""}));
  EXPECT_FALSE(policy.counts_against(each_user, alice, {"bob", "ws1", ""}));
  EXPECT_TRUE(policy.names(lab.subject, alice));
  EXPECT_TRUE(policy.counts_against(lab, alice, {"bob", "", "10.1.200.1"}));
  EXPECT_FALSE(policy.counts_against(lab, alice, {"bob", "", "10.2.0.1"}));
  EXPECT_FALSE(policy.names(each_user.subject, {"", "ws1", ""}));
}

TEST(SitePolicy, ReservationsCountWhatTheirOwnersDoNotHold) {
  auto parsed = parse(R"({"groups": {"design": {"users": ["ann", "bob"]}},
                          "reserve": [{"for": "group:design", "units": 3},
                                      {"for": "host:build", "units": 2}]})");
  ASSERT_TRUE(parsed.problems.empty()) << problems_message(parsed.problems);
  CompiledPolicy policy(parsed.policy);
  const std::vector<HeldBy> none;
  EXPECT_EQ(policy.reserved_for_others({"zed", "z1", ""}, none), 5);
  EXPECT_EQ(policy.reserved_for_others({"ann", "a1", ""}, none), 2);     // design's are hers
  EXPECT_EQ(policy.reserved_for_others({"ann", "build", ""}, none), 0);  // and build's
  const std::vector<HeldBy> held = {{{"bob", "b1", ""}, 2}, {{"zed", "build", ""}, 5}};
  EXPECT_EQ(policy.reserved_for_others({"zed", "z1", ""}, held), 1);  // design holds 2 of 3
}

// The compiled policy remembers each holder's groups and first include and exclude entries:
// the answers stay each holder's own, for holders whose parts run into each other, after more
// holders than it keeps (it starts afresh), and from two threads at once.
TEST(SitePolicy, RemembersEachHoldersVerdictWithoutMixingHoldersUp) {
  auto parsed = parse(kGood);
  ASSERT_TRUE(parsed.problems.empty());
  const CompiledPolicy policy(parsed.policy);
  auto check = [&](int round) {
    for (int i = 0; i < 5000; ++i) {
      const std::string user = "u" + std::to_string(i);
      const std::string address =
          i % 2 ? "192.0.2." + std::to_string(i % 250) : "10.1.2." + std::to_string(i % 250);
      EXPECT_EQ(policy.refusal({user, "ws9", address}).has_value(), i % 2 == 1)
          << "round " << round << ", holder " << i;
      // A user whose name is another's name and host run together.
      EXPECT_EQ(policy.refusal({"alice", "build1", ""}), std::nullopt);
      EXPECT_TRUE(policy.refusal({"alicebuild", "1", ""}).has_value());
      EXPECT_TRUE(policy.refusal({"mallory", "build1", ""}).has_value());
    }
  };
  check(0);
  check(1);
  std::thread other([&] { check(2); });
  check(3);
  other.join();
}

}  // namespace
}  // namespace lmp::domain
