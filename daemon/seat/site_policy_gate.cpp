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
    if (auto why = policy->refusal(holder))
      return SeatResult::failure(SeatError::not_allowed, *why);
    // A repeated checkout takes no further unit: the limits have nothing to count.
    if (checkout.held != nullptr) return {};

    const auto& rules = policy->policy();
    if (rules.max.empty() && rules.reserve.empty()) return {};
    // What the license's live leases hold, read once for every rule below.
    const auto holdings = store.live_holdings(checkout.license.id, checkout.now_ms);
    std::vector<domain::HeldBy> held;
    held.reserve(holdings.size());
    for (const auto& h : holdings) held.push_back({{h.user, h.host, h.peer}, h.units});

    for (const auto& limit : rules.max) {
      if (!policy->names(limit.subject, holder)) continue;
      std::int64_t units = 0;
      for (const auto& h : held)
        if (policy->counts_against(limit, holder, h.holder)) units += h.units;
      if (units + cmd.units > limit.units) {
        const std::string subject = !limit.subject.each ? domain::subject_text(limit.subject)
                                    : limit.subject.kind == domain::PolicySubject::Kind::user
                                        ? "each user"
                                        : "each host";
        return SeatResult::failure(SeatError::over_limit,
                                   "the site policy allows " + subject + " at most " +
                                       std::to_string(limit.units) + " units; " +
                                       std::to_string(units) + " held")
            .add("limit", limit.units);
      }
    }

    if (!rules.reserve.empty()) {
      // Only when free units exist: with none, the family's own no_seats says it all.
      const std::int64_t reserved = policy->reserved_for_others(holder, held);
      std::int64_t in_use = 0;
      for (const auto& h : held) in_use += h.units;
      if (reserved > 0 && in_use + cmd.units <= checkout.license.units &&
          in_use + cmd.units + reserved > checkout.license.units)
        return SeatResult::failure(SeatError::no_seats,
                                   std::to_string(checkout.license.units - in_use) +
                                       " units are free, " + std::to_string(reserved) +
                                       " of them reserved for others by the site policy")
            .add("reserved", reserved);
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
