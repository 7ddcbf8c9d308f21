// Reading, checking and compiling a site policy (domain/site_policy.hpp).
#include "domain/site_policy.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <cstring>
#include <functional>
#include <map>
#include <set>

#include "domain/display_text.hpp"
#include "domain/limits.hpp"

namespace lmp::domain {
namespace json = boost::json;

namespace {

constexpr std::string_view kKinds[] = {"user", "host", "address", "group"};

std::string kind_name(PolicySubject::Kind kind) {
  return std::string(kKinds[static_cast<std::size_t>(kind)]);
}

class Reader {
 public:
  std::vector<PolicyProblem> problems;

  void problem(std::string path, std::string message) {
    problems.push_back({std::move(path), std::move(message)});
  }

  // A name: displayable text of 1 to kMaxNameBytes bytes.
  std::optional<std::string> name(const json::value& v, const std::string& path) {
    if (!v.is_string()) {
      problem(path, "must be a string");
      return std::nullopt;
    }
    std::string text(v.get_string().data(), v.get_string().size());
    if (text.empty() || text.size() > kMaxNameBytes) {
      problem(path, "must be 1 to " + std::to_string(kMaxNameBytes) + " bytes, not " +
                        std::to_string(text.size()));
      return std::nullopt;
    }
    if (auto why = display_text_problem(text)) {
      problem(path, *why);
      return std::nullopt;
    }
    return text;
  }

  std::optional<std::int64_t> count(const json::value& v, const std::string& path, std::int64_t min,
                                    std::int64_t max) {
    std::int64_t n = 0;
    if (v.is_int64()) {
      n = v.get_int64();
    } else if (v.is_uint64()) {
      problem(path,
              "must be at most " + std::to_string(max) + ", not " + std::to_string(v.get_uint64()));
      return std::nullopt;
    } else {
      problem(path, "must be a whole number");
      return std::nullopt;
    }
    if (n < min || n > max) {
      problem(path, "must be " + std::to_string(min) + " to " + std::to_string(max) + ", not " +
                        std::to_string(n));
      return std::nullopt;
    }
    return n;
  }

  const json::array* list(const json::value& v, const std::string& path) {
    if (!v.is_array()) {
      problem(path, "must be a list");
      return nullptr;
    }
    if (static_cast<std::int64_t>(v.get_array().size()) > kMaxPolicyEntries) {
      problem(path, "has " + std::to_string(v.get_array().size()) + " entries, at most " +
                        std::to_string(kMaxPolicyEntries) + " are allowed");
      return nullptr;
    }
    return &v.get_array();
  }

  std::vector<std::string> names(const json::value& v, const std::string& path) {
    std::vector<std::string> out;
    const auto* items = list(v, path);
    if (items == nullptr) return out;
    for (std::size_t i = 0; i < items->size(); ++i)
      if (auto n = name((*items)[i], path + "[" + std::to_string(i) + "]")) out.push_back(*n);
    return out;
  }

  // `kind:name`; `each_allowed` lets `user:*` and `host:*` through.
  std::optional<PolicySubject> subject(const json::value& v, const std::string& path,
                                       bool each_allowed) {
    auto text = name(v, path);
    if (!text) return std::nullopt;
    const auto colon = text->find(':');
    if (colon == std::string::npos) {
      problem(path, "\"" + *text + "\" must be user:NAME, host:NAME, address:CIDR or group:NAME");
      return std::nullopt;
    }
    const std::string kind = text->substr(0, colon);
    PolicySubject s;
    s.name = text->substr(colon + 1);
    const auto* found = std::find(std::begin(kKinds), std::end(kKinds), kind);
    if (found == std::end(kKinds)) {
      problem(path, "unknown kind \"" + kind + "\"; one of user, host, address, group");
      return std::nullopt;
    }
    s.kind = static_cast<PolicySubject::Kind>(found - std::begin(kKinds));
    if (s.name.empty()) {
      problem(path, "\"" + *text + "\" names nobody");
      return std::nullopt;
    }
    if (s.name == "*") {
      if (!each_allowed ||
          (s.kind != PolicySubject::Kind::user && s.kind != PolicySubject::Kind::host)) {
        problem(path, "\"" + *text + "\": only max rules may name user:* or host:*");
        return std::nullopt;
      }
      s.each = true;
    }
    if (s.kind == PolicySubject::Kind::address && !parse_cidr(s.name)) {
      problem(path, "malformed CIDR \"" + s.name + "\"");
      return std::nullopt;
    }
    return s;
  }
};

std::string at(const std::string& path, const char* key) {
  return path.empty() ? std::string(key) : path + "." + key;
}

void read_groups(Reader& r, const json::value& v, SitePolicy& p) {
  if (!v.is_object()) {
    r.problem("groups", "must be an object of groups by name");
    return;
  }
  const auto& groups = v.get_object();
  if (static_cast<std::int64_t>(groups.size()) > kMaxPolicyGroups) {
    r.problem("groups", "has " + std::to_string(groups.size()) + " groups, at most " +
                            std::to_string(kMaxPolicyGroups) + " are allowed");
    return;
  }
  for (const auto& [key, body] : groups) {
    const std::string path = "groups." + std::string(key);
    PolicyGroup g;
    if (auto n = r.name(json::value(key), path))
      g.name = *n;
    else
      continue;
    if (!body.is_object()) {
      r.problem(path, "must be an object with users, hosts, addresses, groups");
      continue;
    }
    for (const auto& [field, value] : body.get_object()) {
      const std::string fpath = path + "." + std::string(field);
      if (field == "users") {
        g.users = r.names(value, fpath);
      } else if (field == "hosts") {
        g.hosts = r.names(value, fpath);
      } else if (field == "addresses") {
        g.addresses = r.names(value, fpath);
        for (std::size_t i = 0; i < g.addresses.size(); ++i)
          if (!parse_cidr(g.addresses[i]))
            r.problem(fpath + "[" + std::to_string(i) + "]",
                      "malformed CIDR \"" + g.addresses[i] + "\"");
      } else if (field == "groups") {
        g.groups = r.names(value, fpath);
      } else {
        r.problem(fpath, "unknown field; a group has users, hosts, addresses, groups");
      }
    }
    p.groups.push_back(std::move(g));
  }
}

void read_limits(Reader& r, const json::value& v, const char* key, bool each_allowed,
                 std::vector<PolicyLimit>& out) {
  const auto* items = r.list(v, key);
  if (items == nullptr) return;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const std::string path = std::string(key) + "[" + std::to_string(i) + "]";
    const auto& item = (*items)[i];
    if (!item.is_object()) {
      r.problem(path, "must be an object with for and units");
      continue;
    }
    const auto& o = item.get_object();
    PolicyLimit limit;
    bool ok = true;
    if (const auto* f = o.if_contains("for")) {
      auto s = r.subject(*f, at(path, "for"), each_allowed);
      ok = ok && s.has_value();
      if (s) limit.subject = *s;
    } else {
      r.problem(at(path, "for"), "missing");
      ok = false;
    }
    if (const auto* u = o.if_contains("units")) {
      auto n = r.count(*u, at(path, "units"), 0, kMaxUnits);
      ok = ok && n.has_value();
      if (n) limit.units = *n;
    } else {
      r.problem(at(path, "units"), "missing");
      ok = false;
    }
    for (const auto& [field, value] : o)
      if (field != "for" && field != "units")
        r.problem(at(path, std::string(field).c_str()), "unknown field; a rule has for and units");
    if (ok) out.push_back(std::move(limit));
  }
}

void read_borrow(Reader& r, const json::value& v, BorrowRule& b) {
  if (!v.is_object()) {
    r.problem("borrow", "must be an object with allowed, max_seconds, max_units");
    return;
  }
  for (const auto& [field, value] : v.get_object()) {
    const std::string path = "borrow." + std::string(field);
    if (field == "allowed") {
      if (value.is_bool())
        b.allowed = value.get_bool();
      else
        r.problem(path, "must be true or false");
    } else if (field == "max_seconds") {
      if (auto n = r.count(value, path, 0, kMaxBorrowSeconds)) b.max_seconds = *n;
    } else if (field == "max_units") {
      if (auto n = r.count(value, path, 0, kMaxUnits)) b.max_units = *n;
    } else {
      r.problem(path, "unknown field; borrow has allowed, max_seconds, max_units");
    }
  }
}

// Every group a rule or group names exists, and no group includes itself (directly or through
// others).
void check_groups(Reader& r, SitePolicy& p) {
  std::map<std::string, const PolicyGroup*> by_name;
  for (const auto& g : p.groups) by_name[g.name] = &g;
  for (const auto& g : p.groups)
    for (std::size_t i = 0; i < g.groups.size(); ++i)
      if (by_name.count(g.groups[i]) == 0)
        r.problem("groups." + g.name + ".groups[" + std::to_string(i) + "]",
                  "unknown group \"" + g.groups[i] + "\"");
  // Depth-first search for a cycle, reporting each group on one once.
  std::map<std::string, int> state;  // 1: on the path, 2: done
  std::set<std::string> reported;
  std::vector<std::string> path;
  std::function<void(const PolicyGroup&)> visit = [&](const PolicyGroup& g) {
    state[g.name] = 1;
    path.push_back(g.name);
    for (const auto& inner : g.groups) {
      auto it = by_name.find(inner);
      if (it == by_name.end()) continue;
      if (state[inner] == 1) {
        if (reported.insert(inner).second) {
          std::string cycle;
          auto from = std::find(path.begin(), path.end(), inner);
          for (; from != path.end(); ++from) cycle += *from + " -> ";
          r.problem("groups." + inner + ".groups",
                    "group \"" + inner + "\" includes itself: " + cycle + inner);
        }
      } else if (state[inner] == 0) {
        visit(*it->second);
      }
    }
    path.pop_back();
    state[g.name] = 2;
  };
  for (const auto& g : p.groups)
    if (state[g.name] == 0) visit(g);

  auto check = [&](const PolicySubject& s, const std::string& where) {
    if (s.kind == PolicySubject::Kind::group && by_name.count(s.name) == 0)
      r.problem(where, "unknown group \"" + s.name + "\"");
  };
  for (std::size_t i = 0; i < p.include.size(); ++i)
    check(p.include[i], "include[" + std::to_string(i) + "]");
  for (std::size_t i = 0; i < p.exclude.size(); ++i)
    check(p.exclude[i], "exclude[" + std::to_string(i) + "]");
  for (std::size_t i = 0; i < p.reserve.size(); ++i)
    check(p.reserve[i].subject, "reserve[" + std::to_string(i) + "].for");
  for (std::size_t i = 0; i < p.max.size(); ++i)
    check(p.max[i].subject, "max[" + std::to_string(i) + "].for");
}

void read_subjects(Reader& r, const json::value& v, const char* key,
                   std::vector<PolicySubject>& out) {
  const auto* items = r.list(v, key);
  if (items == nullptr) return;
  for (std::size_t i = 0; i < items->size(); ++i)
    if (auto s = r.subject((*items)[i], std::string(key) + "[" + std::to_string(i) + "]", false))
      out.push_back(*s);
}

std::array<std::uint8_t, 16> mapped(const std::array<std::uint8_t, 4>& v4) {
  std::array<std::uint8_t, 16> out{};
  out[10] = 0xff;
  out[11] = 0xff;
  std::copy(v4.begin(), v4.end(), out.begin() + 12);
  return out;
}

}  // namespace

std::string subject_text(const PolicySubject& subject) {
  return kind_name(subject.kind) + ":" + subject.name;
}

std::optional<std::array<std::uint8_t, 16>> parse_address(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  const std::string s(text);
  std::array<std::uint8_t, 4> v4{};
  if (inet_pton(AF_INET, s.c_str(), v4.data()) == 1) return mapped(v4);
  std::array<std::uint8_t, 16> v6{};
  if (inet_pton(AF_INET6, s.c_str(), v6.data()) == 1) return v6;
  return std::nullopt;
}

std::optional<AddressRange> parse_cidr(std::string_view text) {
  const auto slash = text.find('/');
  auto address = parse_address(text.substr(0, slash));
  if (!address) return std::nullopt;
  const bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
  const int bits = v4 ? 32 : 128;
  int prefix = bits;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    prefix = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      prefix = prefix * 10 + (c - '0');
    }
    if (prefix > bits || (digits.size() > 1 && digits[0] == '0')) return std::nullopt;
  }
  AddressRange range;
  range.base = *address;
  range.prefix = v4 ? prefix + 96 : prefix;
  // Host bits set below the prefix are a typo more often than intended; keep only the network.
  for (int bit = range.prefix; bit < 128; ++bit)
    range.base[static_cast<std::size_t>(bit / 8)] &=
        static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
  return range;
}

bool AddressRange::contains(const std::array<std::uint8_t, 16>& address) const {
  const int full = prefix / 8;
  if (std::memcmp(base.data(), address.data(), static_cast<std::size_t>(full)) != 0) return false;
  if (prefix % 8 == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xffu << (8 - prefix % 8));
  return (base[static_cast<std::size_t>(full)] & mask) ==
         (address[static_cast<std::size_t>(full)] & mask);
}

PolicyParse parse_site_policy(const json::value& v) {
  PolicyParse out;
  Reader r;
  SitePolicy& p = out.policy;
  if (!v.is_object()) {
    r.problem("$", "a policy must be a JSON object");
    out.problems = std::move(r.problems);
    return out;
  }
  for (const auto& [key, value] : v.get_object()) {
    if (key == "product") {
      if (!value.is_null())
        if (auto n = r.name(value, "product")) p.product = *n;
    } else if (key == "groups") {
      read_groups(r, value, p);
    } else if (key == "include") {
      read_subjects(r, value, "include", p.include);
    } else if (key == "exclude") {
      read_subjects(r, value, "exclude", p.exclude);
    } else if (key == "reserve") {
      read_limits(r, value, "reserve", false, p.reserve);
    } else if (key == "max") {
      read_limits(r, value, "max", true, p.max);
    } else if (key == "linger") {
      if (auto n = r.count(value, "linger", 0, kMaxLingerSeconds)) p.linger_seconds = *n;
    } else if (key == "borrow") {
      read_borrow(r, value, p.borrow);
    } else {
      r.problem(std::string(key),
                "unknown field; a policy has product, groups, include, exclude, reserve, max, "
                "linger, borrow");
    }
  }
  check_groups(r, p);
  out.problems = std::move(r.problems);
  return out;
}

PolicyParse parse_site_policy(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec) {
    PolicyParse out;
    out.problems.push_back({"$", "not JSON: " + ec.message()});
    return out;
  }
  return parse_site_policy(v);
}

json::value site_policy_json(const SitePolicy& p) {
  json::object out;
  out["product"] = p.product.empty() ? json::value(nullptr) : json::value(p.product);
  json::object groups;
  auto strings = [](const std::vector<std::string>& items) {
    json::array a;
    for (const auto& s : items) a.emplace_back(s);
    return a;
  };
  for (const auto& g : p.groups) {
    json::object o;
    o["users"] = strings(g.users);
    o["hosts"] = strings(g.hosts);
    o["addresses"] = strings(g.addresses);
    o["groups"] = strings(g.groups);
    groups[g.name] = std::move(o);
  }
  out["groups"] = std::move(groups);
  auto subjects = [](const std::vector<PolicySubject>& items) {
    json::array a;
    for (const auto& s : items) a.emplace_back(subject_text(s));
    return a;
  };
  out["include"] = subjects(p.include);
  out["exclude"] = subjects(p.exclude);
  auto limits = [](const std::vector<PolicyLimit>& items) {
    json::array a;
    for (const auto& l : items)
      a.emplace_back(json::object{{"for", subject_text(l.subject)}, {"units", l.units}});
    return a;
  };
  out["reserve"] = limits(p.reserve);
  out["max"] = limits(p.max);
  out["linger"] = p.linger_seconds;
  out["borrow"] = json::object{{"allowed", p.borrow.allowed},
                               {"max_seconds", p.borrow.max_seconds},
                               {"max_units", p.borrow.max_units}};
  return out;
}

std::string site_policy_text(const SitePolicy& policy) {
  return json::serialize(site_policy_json(policy));
}

std::vector<PolicyProblem> check_reservations(const SitePolicy& policy,
                                              const std::vector<PolicyLicense>& licenses) {
  std::vector<PolicyProblem> problems;
  std::int64_t sum = 0;
  for (const auto& r : policy.reserve) sum += r.units;
  if (sum == 0) return problems;
  // Reserved in each product's pool: its licenses' units together.
  struct Pool {
    std::int64_t units = 0;
    std::string ids;
    int count = 0;
  };
  std::map<std::string, Pool> pools;
  for (const auto& license : licenses) {
    if (!policy.product.empty() && license.product != policy.product) continue;
    Pool& pool = pools[license.product];
    pool.units += license.units;
    pool.ids += (pool.ids.empty() ? "" : ", ") + std::to_string(license.id);
    ++pool.count;
  }
  for (const auto& [product, pool] : pools)
    if (sum > pool.units)
      problems.push_back(
          {"reserve",
           "the reservations sum to " + std::to_string(sum) + " units, above the " +
               std::to_string(pool.units) + " units of " +
               (pool.count == 1 ? "license " + pool.ids : "licenses " + pool.ids + " together") +
               " (" + product + ")"});
  return problems;
}

LicensePool license_pool(std::int64_t own, std::int64_t own_units,
                         const std::vector<PoolCandidate>& licenses) {
  LicensePool pool;
  pool.licenses.push_back(own);
  pool.units = own_units;
  // The checkout's own license serves (it was judged so before any gate); the others count
  // only while they serve: an expired one's units are nobody's to take or reserve.
  for (const auto& license : licenses)
    if (license.id != own && license.serves) {
      pool.licenses.push_back(license.id);
      pool.units += license.units;
    }
  std::sort(pool.licenses.begin(), pool.licenses.end());
  return pool;
}

std::string problems_message(const std::vector<PolicyProblem>& problems) {
  std::string out;
  for (const auto& p : problems) {
    if (!out.empty()) out += "; ";
    out += p.path + ": " + p.message;
  }
  return out;
}

CompiledPolicy::CompiledPolicy(SitePolicy policy) : policy_(std::move(policy)) {
  std::map<std::string, const PolicyGroup*> by_name;
  for (const auto& g : policy_.groups) by_name[g.name] = &g;
  for (const auto& g : policy_.groups) {
    Members m;
    // The group and every group it includes, each once (validation refused cycles, and the set
    // keeps a diamond from being walked twice).
    std::set<std::string> seen;
    std::vector<const PolicyGroup*> todo{&g};
    while (!todo.empty()) {
      const PolicyGroup* next = todo.back();
      todo.pop_back();
      if (!seen.insert(next->name).second) continue;
      m.users.insert(m.users.end(), next->users.begin(), next->users.end());
      m.hosts.insert(m.hosts.end(), next->hosts.begin(), next->hosts.end());
      for (const auto& a : next->addresses)
        if (auto range = parse_cidr(a)) m.ranges.push_back(*range);
      for (const auto& inner : next->groups)
        if (auto it = by_name.find(inner); it != by_name.end()) todo.push_back(it->second);
    }
    std::sort(m.users.begin(), m.users.end());
    std::sort(m.hosts.begin(), m.hosts.end());
    groups_.emplace_back(g.name, std::move(m));
  }
  std::sort(groups_.begin(), groups_.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  include_groups_ = group_indexes(policy_.include);
  exclude_groups_ = group_indexes(policy_.exclude);
  max_groups_ = group_indexes(policy_.max);
  reserve_groups_ = group_indexes(policy_.reserve);
}

const CompiledPolicy::Membership& CompiledPolicy::membership(const PolicyHolder& holder) const {
  // Each part after its length, so that no two holders share a key whatever bytes they hold.
  holder_key_.clear();
  for (std::string_view part : {holder.user, holder.host, holder.address}) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, part.size()).ptr;
    holder_key_.append(digits, end).append(1, ':').append(part);
  }
  if (auto it = holders_.find(holder_key_); it != holders_.end()) return it->second;
  Membership known;
  if (!holder.address.empty()) known.address = parse_address(holder.address);
  known.member.reserve(groups_.size());
  for (const auto& group : groups_) known.member.push_back(in(group.second, holder, known.address));
  const Seen seen{holder, known};
  auto first_naming = [&](const std::vector<PolicySubject>& list,
                          const std::vector<std::size_t>& groups) {
    for (std::size_t i = 0; i < list.size(); ++i)
      if (names(list[i], groups[i], seen)) return i;
    return std::string::npos;
  };
  known.excluded = first_naming(policy_.exclude, exclude_groups_);
  known.included = first_naming(policy_.include, include_groups_);
  return holders_.emplace(holder_key_, std::move(known)).first->second;
}

void CompiledPolicy::forget_holders_if_many() const {
  if (holders_.size() > kRememberedHolders) holders_.clear();
}

std::size_t CompiledPolicy::group_index(std::string_view name) const {
  auto it = std::lower_bound(groups_.begin(), groups_.end(), name,
                             [](const auto& g, std::string_view n) { return g.first < n; });
  return it != groups_.end() && it->first == name ? static_cast<std::size_t>(it - groups_.begin())
                                                  : std::string::npos;
}

std::vector<std::size_t> CompiledPolicy::group_indexes(
    const std::vector<PolicySubject>& subjects) const {
  std::vector<std::size_t> out;
  for (const auto& s : subjects)
    out.push_back(s.kind == PolicySubject::Kind::group ? group_index(s.name) : std::string::npos);
  return out;
}

std::vector<std::size_t> CompiledPolicy::group_indexes(
    const std::vector<PolicyLimit>& limits) const {
  std::vector<std::size_t> out;
  for (const auto& l : limits)
    out.push_back(l.subject.kind == PolicySubject::Kind::group ? group_index(l.subject.name)
                                                               : std::string::npos);
  return out;
}

bool CompiledPolicy::in(const Members& m, const PolicyHolder& h, const Address& address) const {
  if (!h.user.empty() && std::binary_search(m.users.begin(), m.users.end(), h.user)) return true;
  if (!h.host.empty() && std::binary_search(m.hosts.begin(), m.hosts.end(), h.host)) return true;
  if (address)
    for (const auto& range : m.ranges)
      if (range.contains(*address)) return true;
  return false;
}

bool CompiledPolicy::names(const PolicySubject& s, const PolicyHolder& h) const {
  const std::lock_guard lock(holders_lock_);
  forget_holders_if_many();
  const Seen seen{h, membership(h)};
  return names(s, s.kind == PolicySubject::Kind::group ? group_index(s.name) : std::string::npos,
               seen);
}

bool CompiledPolicy::names(const PolicySubject& s, std::size_t group, const Seen& seen) const {
  const PolicyHolder& h = seen.holder;
  switch (s.kind) {
    case PolicySubject::Kind::user:
      return s.each ? !h.user.empty() : h.user == s.name;
    case PolicySubject::Kind::host:
      return s.each ? !h.host.empty() : h.host == s.name;
    case PolicySubject::Kind::address: {
      auto range = parse_cidr(s.name);
      return range && seen.known.address && range->contains(*seen.known.address);
    }
    case PolicySubject::Kind::group:
      return group != std::string::npos && seen.known.member[group];
  }
  return false;
}

std::optional<std::string> CompiledPolicy::refusal(const PolicyHolder& h) const {
  // A repeat asks include and exclude only.
  auto verdict = judge(h, 0, true, 0, {});
  if (verdict.outcome == PolicyVerdict::Outcome::allowed) return std::nullopt;
  return std::move(verdict.reason);
}

bool CompiledPolicy::counts_against(const PolicyLimit& limit, const PolicyHolder& holder,
                                    const PolicyHolder& other) const {
  if (limit.subject.each)
    return limit.subject.kind == PolicySubject::Kind::user ? other.user == holder.user
                                                           : other.host == holder.host;
  return names(limit.subject, other);
}

std::int64_t CompiledPolicy::reserved_for_others(const PolicyHolder& holder,
                                                 const std::vector<HeldBy>& held) const {
  const std::lock_guard lock(holders_lock_);
  forget_holders_if_many();
  std::vector<Seen> others;
  others.reserve(held.size());
  for (const auto& h : held) others.push_back({h.holder, membership(h.holder)});
  return reserved_for_others(Seen{holder, membership(holder)}, others, held);
}

std::int64_t CompiledPolicy::reserved_for_others(const Seen& holder,
                                                 const std::vector<Seen>& others,
                                                 const std::vector<HeldBy>& held) const {
  std::int64_t reserved = 0;
  for (std::size_t i = 0; i < policy_.reserve.size(); ++i) {
    const auto& r = policy_.reserve[i];
    if (names(r.subject, reserve_groups_[i], holder)) continue;
    std::int64_t used = 0;
    for (std::size_t k = 0; k < held.size(); ++k)
      if (names(r.subject, reserve_groups_[i], others[k])) used += held[k].units;
    if (used < r.units) reserved += r.units - used;
  }
  return reserved;
}

std::string_view to_string(PolicyVerdict::Outcome outcome) {
  switch (outcome) {
    case PolicyVerdict::Outcome::allowed:
      return "allowed";
    case PolicyVerdict::Outcome::not_allowed:
      return "not_allowed";
    case PolicyVerdict::Outcome::over_limit:
      return "over_limit";
    case PolicyVerdict::Outcome::no_seats:
      return "no_seats";
  }
  return "allowed";
}

PolicyVerdict CompiledPolicy::judge(const PolicyHolder& holder, std::int64_t units, bool repeat,
                                    std::int64_t license_units,
                                    const std::vector<HeldBy>& held) const {
  using Outcome = PolicyVerdict::Outcome;
  PolicyVerdict v;
  const auto at = [](const char* list, std::size_t i) {
    return std::string(list) + "[" + std::to_string(i) + "]";
  };
  const std::lock_guard lock(holders_lock_);
  forget_holders_if_many();
  const Seen self{holder, membership(holder)};
  if (const std::size_t i = self.known.excluded; i != std::string::npos)
    return {Outcome::not_allowed, at("exclude", i),
            "excluded by the site policy (" + subject_text(policy_.exclude[i]) + ")"};
  if (!policy_.include.empty()) {
    const std::size_t i = self.known.included;
    if (i == std::string::npos)
      return {Outcome::not_allowed, "include", "not on the site policy's include list"};
    v = {Outcome::allowed, at("include", i),
         "on the include list (" + subject_text(policy_.include[i]) + ")"};
  }
  if (repeat) return v;
  // The holders of the license's leases, each seen once for all the rules below.
  std::vector<Seen> others;
  others.reserve(held.size());

  for (std::size_t i = 0; i < policy_.max.size(); ++i) {
    const auto& limit = policy_.max[i];
    if (!names(limit.subject, max_groups_[i], self)) continue;
    if (others.empty())
      for (const auto& h : held) others.push_back({h.holder, membership(h.holder)});
    std::int64_t taken = 0;
    for (std::size_t k = 0; k < held.size(); ++k) {
      const PolicyHolder& other = held[k].holder;
      const bool counts = !limit.subject.each ? names(limit.subject, max_groups_[i], others[k])
                          : limit.subject.kind == PolicySubject::Kind::user
                              ? other.user == holder.user
                              : other.host == holder.host;
      if (counts) taken += held[k].units;
    }
    if (taken + units > limit.units) {
      const std::string who = !limit.subject.each ? subject_text(limit.subject)
                              : limit.subject.kind == PolicySubject::Kind::user ? "each user"
                                                                                : "each host";
      PolicyVerdict over{Outcome::over_limit, at("max", i),
                         "the site policy allows " + who + " at most " +
                             std::to_string(limit.units) + " units; " + std::to_string(taken) +
                             " held"};
      over.limit = limit.units;
      return over;
    }
  }

  if (!policy_.reserve.empty()) {
    // Only when free units exist: with none, the family's own no_seats says it all.
    if (others.empty())
      for (const auto& h : held) others.push_back({h.holder, membership(h.holder)});
    const std::int64_t reserved = reserved_for_others(self, others, held);
    std::int64_t in_use = 0;
    for (const auto& h : held) in_use += h.units;
    if (reserved > 0 && in_use + units <= license_units &&
        in_use + units + reserved > license_units) {
      PolicyVerdict held_back{Outcome::no_seats, "reserve",
                              std::to_string(license_units - in_use) + " units are free, " +
                                  std::to_string(reserved) +
                                  " of them reserved for others by the site policy"};
      held_back.reserved = reserved;
      return held_back;
    }
  }
  return v;
}

}  // namespace lmp::domain
