// libFuzzer target: a site policy's JSON as a client sends it (PUT /v1/customers/{id}/policy).
// Reading it must either name every problem or give a policy that reads back to itself and that
// the seat path can judge checkouts with.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/fuzz_check.hpp"
#include "domain/site_policy.hpp"

namespace {

using lmp::fuzz::check;
namespace domain = lmp::domain;

// Input: the policy's JSON text, then optionally '\n' and "user host address" of a checkout to
// judge (so the fuzzer can find holders that the policy's groups and ranges name).
struct Input {
  std::string_view json;
  std::string_view user;
  std::string_view host;
  std::string_view address;
};

std::string_view next_word(std::string_view& rest) {
  const auto space = rest.find(' ');
  const std::string_view word = rest.substr(0, space);
  rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
  return word;
}

Input split(std::string_view data) {
  Input in;
  const auto newline = data.rfind('\n');
  if (newline == std::string_view::npos) {
    in.json = data;
    in.user = "ann";
    in.host = "ws1";
    in.address = "10.1.2.3";
    return in;
  }
  in.json = data.substr(0, newline);
  std::string_view rest = data.substr(newline + 1);
  in.user = next_word(rest);
  in.host = next_word(rest);
  in.address = rest;
  return in;
}

void check_problems(const std::vector<domain::PolicyProblem>& problems, std::string_view input) {
  for (const auto& p : problems) check(!p.message.empty(), "a problem without a message", input);
  check(!domain::problems_message(problems).empty(), "problems without a summary", input);
}

// The verdict names its deciding rule and carries the figure its outcome promises.
void check_verdict(const domain::PolicyVerdict& v, std::int64_t license_units,
                   std::string_view input) {
  using Outcome = domain::PolicyVerdict::Outcome;
  if (v.outcome != Outcome::allowed) {
    check(!v.rule.empty(), "a refusal without its rule", input);
    check(!v.reason.empty(), "a refusal without its reason", input);
  }
  if (v.outcome == Outcome::over_limit) check(v.limit >= 0, "over_limit with a negative limit");
  if (v.outcome == Outcome::no_seats) {
    check(v.reserved > 0 && v.reserved <= license_units,
          "no_seats from the policy without a reservation within the license", input);
  }
  check(!domain::to_string(v.outcome).empty(), "an outcome without a name", input);
}

void check_policy(const domain::SitePolicy& policy, const Input& in, std::string_view input) {
  // What is stored is the policy's text; reading it back must give the same policy.
  const std::string text = domain::site_policy_text(policy);
  const domain::PolicyParse again = domain::parse_site_policy(text);
  check(again.problems.empty(), "a stored policy does not read back", text);
  check(domain::site_policy_text(again.policy) == text, "a stored policy reads back changed", text);

  // Reservations checked against a license far too small must be refused with the figures, and
  // against one large enough accepted.
  std::int64_t reserved = 0;
  for (const auto& r : policy.reserve) reserved += r.units;
  const domain::PolicyLicense big{1, policy.product.empty() ? "p" : policy.product, reserved + 1};
  check(domain::check_reservations(policy, {big}).empty(),
        "reservations refused by a license "
        "with room for them",
        input);
  if (reserved > 0) {
    const domain::PolicyLicense small{2, big.product, reserved - 1};
    check(!domain::check_reservations(policy, {small}).empty(),
          "reservations over the license's units accepted", input);
  }

  const domain::CompiledPolicy compiled(policy);
  const domain::PolicyHolder holder{in.user, in.host, in.address};
  const domain::PolicyHolder other{"zed", "elsewhere", "192.0.2.1"};
  const std::int64_t license_units = reserved + 3;
  for (const std::int64_t units : {std::int64_t{1}, std::int64_t{2}}) {
    for (const bool repeat : {false, true}) {
      const std::vector<domain::HeldBy> none;
      const std::vector<domain::HeldBy> held{{holder, 1}, {other, 1}};
      const auto first = compiled.judge(holder, units, repeat, license_units, none);
      check_verdict(first, license_units, input);
      check_verdict(compiled.judge(holder, units, repeat, license_units, held), license_units,
                    input);
      // A holder the policy refuses outright is refused whatever is held.
      if (compiled.refusal(holder)) {
        check(first.outcome == domain::PolicyVerdict::Outcome::not_allowed,
              "a refused holder was not refused not_allowed", input);
      }
    }
  }
  check(compiled.reserved_for_others(holder, {}) <= reserved,
        "more held back than the policy reserves", input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const Input in = split(input);
  const domain::PolicyParse parsed = domain::parse_site_policy(in.json);
  if (!parsed.problems.empty()) {
    check_problems(parsed.problems, input);
  } else {
    check_policy(parsed.policy, in, input);
  }
  // Addresses and ranges on their own: a range contains its own base address.
  if (const auto range = domain::parse_cidr(in.address)) {
    check(range->prefix >= 0 && range->prefix <= 128, "a prefix outside 0 to 128", in.address);
    check(range->contains(range->base), "a range without its own base address", in.address);
  }
  if (const auto address = domain::parse_address(in.address)) {
    const domain::AddressRange host{*address, 128};
    check(host.contains(*address), "an address outside its own /128", in.address);
  }
  return 0;
}
