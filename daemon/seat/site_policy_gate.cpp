// The site policy gate: which compiled policy applies to a checkout and what it decides.
#include "seat/site_policy_gate.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <string>
#include <tuple>
#include <utility>

#include "core/log.hpp"
#include "domain/borrow_rule.hpp"
#include "domain/license_state.hpp"
#include "domain/site_policy.hpp"
#include "storage/seat_store.hpp"

namespace lmp::seat {
namespace {

// The holdings summed per user, host and address: the rules ask who holds how much, and a
// license's leases come from far fewer holders than leases (many from one address, or one
// user's several hosts), so each rule looks at each holder once.
std::vector<domain::HeldBy> by_holder(std::vector<storage::Holding>& holdings) {
  const auto key = [](const storage::Holding& h) { return std::tie(h.user, h.host, h.peer); };
  std::sort(holdings.begin(), holdings.end(),
            [&](const auto& a, const auto& b) { return key(a) < key(b); });
  std::vector<domain::HeldBy> held;
  for (const auto& h : holdings) {
    if (!held.empty() && held.back().holder.user == h.user && held.back().holder.host == h.host &&
        held.back().holder.address == h.peer) {
      held.back().units += h.units;
      continue;
    }
    held.push_back({{h.user, h.host, h.peer}, h.units});
  }
  return held;
}

class SitePolicyGate final : public CheckoutGate, public CheckinLinger {
 public:
  SeatResult check(const CheckoutCandidate& checkout, storage::SeatStore& store) override {
    refresh(store);
    const domain::CompiledPolicy* policy = policies_.empty() ? nullptr : find(checkout.license);
    const SeatCommand& cmd = checkout.command;
    if (cmd.borrow_seconds > 0) {
      // Whom the policy keeps out hears that first, not of a borrow limit it may wait for.
      if (policy != nullptr)
        if (auto refusal = policy->refusal({cmd.user, cmd.host, cmd.peer}))
          return SeatResult::failure(SeatError::not_allowed, *refusal);
      // Asked with or without a policy: without one, borrowing is not allowed.
      if (auto refused = check_borrow(policy, checkout, store); !refused.ok()) return refused;
    }
    if (policy == nullptr) return {};

    const domain::PolicyHolder holder{cmd.user, cmd.host, cmd.peer};
    const bool repeat = checkout.held != nullptr;
    const auto& rules = policy->policy();
    // What the pool's live leases hold (the customer's licenses of the product together), read
    // only when a rule counts them.
    std::vector<storage::Holding> holdings;
    std::vector<domain::HeldBy> held;
    domain::LicensePool pool{{checkout.license.id}, checkout.license.units};
    if (!repeat && (!rules.max.empty() || !rules.reserve.empty())) {
      pool = pool_of(checkout, store);
      for (const std::int64_t license : pool.licenses) {
        auto more = store.live_holdings(license, checkout.now_ms);
        if (holdings.empty())
          holdings = std::move(more);
        else
          holdings.insert(holdings.end(), std::make_move_iterator(more.begin()),
                          std::make_move_iterator(more.end()));
      }
      held = by_holder(holdings);
    }
    auto verdict = policy->judge(holder, cmd.units, repeat, pool.units, held);
    // Counted over several licenses: say which, or the figures would not add up to the one
    // license the client's code names.
    if (pool.licenses.size() > 1) verdict.reason += pool_text(pool, checkout.license);
    using Outcome = domain::PolicyVerdict::Outcome;
    switch (verdict.outcome) {
      case Outcome::allowed:
        break;
      case Outcome::not_allowed:
        return SeatResult::failure(SeatError::not_allowed, verdict.reason);
      case Outcome::over_limit:
        return SeatResult::failure(SeatError::over_limit, verdict.reason)
            .add("limit", verdict.limit);
      case Outcome::no_seats:
        return SeatResult::failure(SeatError::no_seats, verdict.reason)
            .add("reserved", verdict.reserved);
    }
    return {};
  }

  std::int64_t linger_ms(const storage::LeaseRecord& lease, storage::SeatStore& store) override {
    refresh(store);
    if (policies_.empty()) return 0;
    const auto license = store.find_license(lease.license_id);
    if (!license) return 0;
    const domain::CompiledPolicy* policy = find(*license);
    return policy == nullptr ? 0 : policy->policy().linger_seconds * 1000;
  }

 private:
  static SeatResult check_borrow(const domain::CompiledPolicy* policy,
                                 const CheckoutCandidate& checkout, storage::SeatStore& store) {
    const domain::BorrowRule* rule = policy ? &policy->policy().borrow : nullptr;
    const SeatCommand& cmd = checkout.command;
    // Counted only when a limit asks: most borrows are refused or allowed without it.
    const std::int64_t borrowed = rule != nullptr && rule->allowed && rule->max_units > 0
                                      ? store.borrowed_units(checkout.license.id, checkout.now_ms)
                                      : 0;
    const auto verdict = domain::judge_borrow(rule, cmd.borrow_seconds, cmd.units, borrowed);
    using Outcome = domain::BorrowVerdict::Outcome;
    switch (verdict.outcome) {
      case Outcome::allowed:
        break;
      case Outcome::not_allowed:
        return SeatResult::failure(SeatError::not_allowed, verdict.reason);
      case Outcome::too_long:
        return SeatResult::failure(SeatError::bad_request, verdict.reason);
      case Outcome::over_limit:
        return SeatResult::failure(SeatError::over_limit, verdict.reason)
            .add("limit", verdict.limit);
    }
    return {};
  }

  // The customer's licenses of the checkout's product that serve now. Their rows are locked
  // already: lock_license() locks a license together with its customer's other licenses of the
  // product, so the leases counted here stay as counted until the batch commits.
  static domain::LicensePool pool_of(const CheckoutCandidate& checkout, storage::SeatStore& store) {
    const auto& license = checkout.license;
    std::vector<domain::PoolCandidate> candidates;
    for (const auto& other : store.customer_licenses(license.customer_id, license.product_code)) {
      const domain::LicenseDates dates{other.starts_at_ms, other.expires_at_ms, other.grace_ms,
                                       other.notice_days, other.cut_off_at_ms};
      const auto state =
          domain::license_state(dates, domain::judged_at(checkout.now_ms, other.clock_mark_ms));
      candidates.push_back({other.id, other.units, domain::serves(state)});
    }
    return domain::license_pool(license.id, license.units, candidates);
  }

  static std::string pool_text(const domain::LicensePool& pool,
                               const storage::LicenseRecord& license) {
    std::string ids;
    for (const std::int64_t id : pool.licenses)
      ids += (ids.empty() ? "" : ", ") + std::to_string(id);
    return " (counted over the customer's licenses " + ids + " of " + license.product_code + ", " +
           std::to_string(pool.units) + " units together)";
  }

  void refresh(storage::SeatStore& store) {
    const std::int64_t generation = store.policy_generation();
    if (generation != generation_) compile(store, generation);
  }

  // The product's own policy, else the customer's policy for all products.
  const domain::CompiledPolicy* find(const storage::LicenseRecord& license) const {
    auto it = policies_.find({license.customer_id, license.product_code});
    if (it == policies_.end()) it = policies_.find({license.customer_id, std::string()});
    return it == policies_.end() ? nullptr : it->second.get();
  }

  void compile(storage::SeatStore& store, std::int64_t generation) {
    std::map<Key, std::unique_ptr<domain::CompiledPolicy>> next;
    for (const auto& stored : store.site_policies()) {
      auto parsed = domain::parse_site_policy(std::string_view(stored.text));
      if (!parsed.problems.empty()) {
        // Stored policies were validated when set; a row that does not read was written by
        // something else, and is left out rather than stopping every checkout.
        log::error("site_policy_unreadable",
                   {{"customer", std::to_string(stored.customer_id)},
                    {"product", stored.product},
                    {"problems", domain::problems_message(parsed.problems)}});
        continue;
      }
      next[{stored.customer_id, stored.product}] =
          std::make_unique<domain::CompiledPolicy>(std::move(parsed.policy));
    }
    policies_ = std::move(next);
    generation_ = generation;
  }

  using Key = std::pair<std::int64_t, std::string>;
  std::int64_t generation_ = -1;
  std::map<Key, std::unique_ptr<domain::CompiledPolicy>> policies_;
};

}  // namespace

SitePolicyRules make_site_policy_rules() {
  auto rules = std::make_shared<SitePolicyGate>();
  return {rules, rules};
}

}  // namespace lmp::seat
