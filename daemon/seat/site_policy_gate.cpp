// The site policy gate: which compiled policy applies to a checkout and what it decides.
#include "seat/site_policy_gate.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "core/log.hpp"
#include "domain/site_policy.hpp"
#include "storage/seat_store.hpp"

namespace lmp::seat {
namespace {

class SitePolicyGate final : public CheckoutGate {
 public:
  SeatResult check(const CheckoutCandidate& checkout, storage::SeatStore& store) override {
    const std::int64_t generation = store.policy_generation();
    if (generation != generation_) compile(store, generation);
    if (policies_.empty()) return {};
    const domain::CompiledPolicy* policy = find(checkout.license);
    if (policy == nullptr) return {};

    const SeatCommand& cmd = checkout.command;
    const domain::PolicyHolder holder{cmd.user, cmd.host, cmd.peer};
    const bool repeat = checkout.held != nullptr;
    const auto& rules = policy->policy();
    // What the license's live leases hold, read only when a rule counts them.
    std::vector<storage::Holding> holdings;
    std::vector<domain::HeldBy> held;
    if (!repeat && (!rules.max.empty() || !rules.reserve.empty())) {
      holdings = store.live_holdings(checkout.license.id, checkout.now_ms);
      held.reserve(holdings.size());
      for (const auto& h : holdings) held.push_back({{h.user, h.host, h.peer}, h.units});
    }
    const auto verdict = policy->judge(holder, cmd.units, repeat, checkout.license.units, held);
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

 private:
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

std::shared_ptr<CheckoutGate> make_site_policy_gate() {
  return std::make_shared<SitePolicyGate>();
}

}  // namespace lmp::seat
