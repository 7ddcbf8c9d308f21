// A site's policy (docs/admin-api.md, "Site policy"): who of a customer's users, hosts and
// addresses may check out its licenses of one product (or of all), how many units each may hold,
// what is reserved for whom, linger and borrowing. Its JSON form, its validation with every
// problem named at its JSON path, and the compiled form the seat path asks.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "domain/domain_error.hpp"

namespace boost::json {
class value;
}

namespace lmp::domain {

// The bounds of a policy: larger figures are refused as absurd.
inline constexpr std::int64_t kMaxPolicyGroups = 1000;
inline constexpr std::int64_t kMaxPolicyEntries = 10000;  // members of a group, entries of a list
inline constexpr std::int64_t kMaxLingerSeconds = 86400;
inline constexpr std::int64_t kMaxBorrowSeconds = 366LL * 86400;

// Whom a rule names: `user:NAME`, `host:NAME`, `address:CIDR` or `group:NAME`; `user:*` and
// `host:*` (only in `max`) name every user or host on its own.
struct PolicySubject {
  enum class Kind { user, host, address, group };
  Kind kind = Kind::user;
  std::string name;   // the user, host, CIDR or group as written; "*" for every one
  bool each = false;  // `user:*` / `host:*`
};

// As a rule writes it: "group:design", "user:*".
std::string subject_text(const PolicySubject& subject);

struct PolicyGroup {
  std::string name;
  std::vector<std::string> users;
  std::vector<std::string> hosts;
  std::vector<std::string> addresses;  // CIDR ranges (a bare address is a /32 or /128)
  std::vector<std::string> groups;     // groups whose members are this group's members too
};

struct PolicyLimit {
  PolicySubject subject;
  std::int64_t units = 0;
};

struct BorrowRule {
  bool allowed = false;
  std::int64_t max_seconds = 0;  // the longest borrow
  std::int64_t max_units = 0;    // borrowed at once
};

struct SitePolicy {
  std::string product;  // "" for all the customer's products
  std::vector<PolicyGroup> groups;
  std::vector<PolicySubject> include;  // empty: everybody not excluded
  std::vector<PolicySubject> exclude;
  std::vector<PolicyLimit> reserve;
  std::vector<PolicyLimit> max;
  std::int64_t linger_seconds = 0;
  BorrowRule borrow;
};

// One thing wrong with a policy: where (a JSON path such as `groups.design.addresses[1]`) and
// what, with the figures.
using PolicyProblem = PathProblem;

// Reads a policy from its JSON form, collecting every problem instead of stopping at the first.
// The policy is usable only when `problems` is empty.
struct PolicyParse {
  SitePolicy policy;
  std::vector<PolicyProblem> problems;
};
PolicyParse parse_site_policy(const boost::json::value& json);
PolicyParse parse_site_policy(std::string_view json_text);

// The policy's JSON form (what parse_site_policy reads back), and as text for storage.
boost::json::value site_policy_json(const SitePolicy& policy);
std::string site_policy_text(const SitePolicy& policy);

// A license the policy would apply to, for the reservation check.
struct PolicyLicense {
  std::int64_t id = 0;
  std::string product;
  std::int64_t units = 0;
};
// Problems of the policy against the licenses it applies to: the reservations must fit in the
// units of each product's pool (its licenses together, see LicensePool).
std::vector<PolicyProblem> check_reservations(const SitePolicy& policy,
                                              const std::vector<PolicyLicense>& licenses);

// The pool a policy's max and reserve count over: a customer's licenses of one product together
// (a renewal overlapping the old license, two purchases), as FlexNet counts the licenses of one
// feature. A max holds over the units its subject holds on any of them; a reservation keeps its
// units free somewhere in the pool, not in each license. A license belongs to the pool while it
// serves (docs/admin-api.md, "Site policy", "Several licenses of one product"). Which license a
// checkout draws from does not change: the one its activation code names.
struct LicensePool {
  std::vector<std::int64_t> licenses;  // in id order; the checkout's own license always among them
  std::int64_t units = 0;              // theirs, together
};
// One of the customer's licenses of the product, as the pool sees it.
struct PoolCandidate {
  std::int64_t id = 0;
  std::int64_t units = 0;
  bool serves = false;  // domain::serves() of its state when judged
};
// The pool of the checkout on license `own` among the customer's licenses of its product.
LicensePool license_pool(std::int64_t own, std::int64_t own_units,
                         const std::vector<PoolCandidate>& licenses);

// The problems as one message: "path: message; path: message".
std::string problems_message(const std::vector<PolicyProblem>& problems);

// An address range, IPv4 or IPv6 (IPv4 kept as IPv4-mapped IPv6). nullopt when `text` is not
// an address or a CIDR range.
struct AddressRange {
  std::array<std::uint8_t, 16> base{};
  int prefix = 0;  // of the 128 bits
  bool contains(const std::array<std::uint8_t, 16>& address) const;
};
std::optional<AddressRange> parse_cidr(std::string_view text);
std::optional<std::array<std::uint8_t, 16>> parse_address(std::string_view text);

// Who asks for a unit, as the policy sees it.
struct PolicyHolder {
  std::string_view user;
  std::string_view host;
  std::string_view address;  // the client's address as the transport saw it; may be empty
};

// Units a holder holds now (one live lease's worth).
struct HeldBy {
  PolicyHolder holder;
  std::int64_t units = 0;
};

// What a policy decides about one checkout, and which rule decides it.
struct PolicyVerdict {
  enum class Outcome { allowed, not_allowed, over_limit, no_seats };
  Outcome outcome = Outcome::allowed;
  // The deciding rule at its JSON path ("exclude[1]", "max[0]", "reserve", "include[2]" that let
  // it in, "include" when none did); "" when no rule had a say.
  std::string rule;
  std::string reason;
  std::int64_t limit = 0;     // over_limit: the max rule's figure
  std::int64_t reserved = 0;  // no_seats: the free units reserved for others
};
std::string_view to_string(PolicyVerdict::Outcome outcome);

// A validated policy made ready for the seat path: groups flattened to their members, ranges
// parsed. Its rules never change; the holders it has judged are remembered under a lock, so it
// is safe to share between threads.
class CompiledPolicy {
 public:
  // REQUIRES: `policy` parsed without problems.
  explicit CompiledPolicy(SitePolicy policy);

  const SitePolicy& policy() const { return policy_; }

  // Why `holder` may not check out at all (an exclude or a missing include), or nullopt.
  std::optional<std::string> refusal(const PolicyHolder& holder) const;
  // Whether `subject` names the holder (for `user:*`/`host:*`: the holder has a user/host).
  bool names(const PolicySubject& subject, const PolicyHolder& holder) const;
  // Whether a lease held by `other` counts against `limit` as it applies to `holder`: for
  // `user:*` the same user, for `host:*` the same host, else `other` is named by the limit.
  bool counts_against(const PolicyLimit& limit, const PolicyHolder& holder,
                      const PolicyHolder& other) const;
  // The units reserved for others than `holder` that their owners do not hold now: over the
  // reservations that do not name `holder`, what each reserves beyond what the holders it names
  // hold in `held`.
  std::int64_t reserved_for_others(const PolicyHolder& holder,
                                   const std::vector<HeldBy>& held) const;
  // The verdict on a checkout of `units` by `holder` in a pool (LicensePool) of `license_units`
  // whose live leases hold `held` (a single license is a pool of one). `repeat`: the holder already
  // has its lease, which a repeated checkout reuses without a further unit (only include and
  // exclude apply). Free units are the family's business: a verdict of `allowed` still needs one.
  PolicyVerdict judge(const PolicyHolder& holder, std::int64_t units, bool repeat,
                      std::int64_t license_units, const std::vector<HeldBy>& held) const;

 private:
  struct Members {
    std::vector<std::string> users;  // sorted
    std::vector<std::string> hosts;  // sorted
    std::vector<AddressRange> ranges;
  };
  using Address = std::optional<std::array<std::uint8_t, 16>>;
  // A holder's address parsed once, and whether it is in each group (by group index): worked
  // out the first time the holder is judged and remembered, since a site's checkouts come from
  // the same users and hosts again and again, and a policy of many groups would otherwise test
  // every group's members at every checkout (docs/benchmarks.md, "Site policy").
  struct Membership {
    Address address;
    std::vector<bool> member;
    // The first exclude and include entries naming the holder (npos: none), which depend on
    // nothing else.
    std::size_t excluded = std::string::npos;
    std::size_t included = std::string::npos;
  };
  // One holder as a judgement sees it.
  struct Seen {
    const PolicyHolder& holder;
    const Membership& known;
  };
  // The holder's membership, remembered from an earlier judgement or worked out now. The
  // reference stays valid until forget_holders_if_many().
  const Membership& membership(const PolicyHolder& holder) const;
  // Called before a judgement, never during one: past kRememberedHolders, starts afresh.
  void forget_holders_if_many() const;
  static constexpr std::size_t kRememberedHolders = 4096;
  std::size_t group_index(std::string_view name) const;  // npos when there is none
  bool in(const Members& members, const PolicyHolder& holder, const Address& address) const;
  // Whether `subject`, whose group is at index `group` (npos: none), names the holder.
  bool names(const PolicySubject& subject, std::size_t group, const Seen& seen) const;
  std::int64_t reserved_for_others(const Seen& holder, const std::vector<Seen>& others,
                                   const std::vector<HeldBy>& held) const;
  std::vector<std::size_t> group_indexes(const std::vector<PolicySubject>& subjects) const;
  std::vector<std::size_t> group_indexes(const std::vector<PolicyLimit>& limits) const;

  SitePolicy policy_;
  std::vector<std::pair<std::string, Members>> groups_;  // sorted by name
  // The group index of each rule's subject (npos when it names no group), in the rules' order.
  std::vector<std::size_t> include_groups_, exclude_groups_, max_groups_, reserve_groups_;
  // By user, host and address (membership()); bounded by kRememberedHolders. A judgement holds
  // holders_lock_ from start to end, since its Seen refer into the map.
  mutable std::mutex holders_lock_;
  mutable std::unordered_map<std::string, Membership> holders_;
  mutable std::string holder_key_;  // membership()'s lookup key, kept to spare an allocation
};

}  // namespace lmp::domain
