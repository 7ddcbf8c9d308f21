// In-memory indexes over the leases of a single-writer database, with an undo log that keeps
// them equal to the database across rollbacks.
#include "storage/caching_seat_store.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace lmp::storage {
namespace {

struct CachedLease {
  std::int64_t license_id = 0;
  std::int64_t units = 0;
  std::int64_t issued_at_ms = 0;
  std::int64_t expires_at_ms = 0;
  std::int64_t heartbeat_at_ms = 0;
  std::uint64_t ref = 0;  // the 16 hex digits as a number: no string (and no allocation) per lease
  bool borrowed = false;
  bool lingering = false;
  std::string product_code;
  std::string holder;
  std::string holder_proof;
  std::string user;
  std::string host;
  std::string peer;
};

std::uint64_t ref_number(const std::string& ref) {
  std::uint64_t number = 0;
  std::from_chars(ref.data(), ref.data() + ref.size(), number, 16);
  return number;
}

// Into `out`'s own buffer, which keeps its capacity when a record is refilled.
void write_ref(std::uint64_t number, std::string& out) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(number));
  out.assign(text, 16);
}

// Orders the expiry index oldest first; leases of one millisecond in the order of their ids'
// addresses, which tells them apart as well as their text and reads no string: compared by
// text, the restart's sort of a million keys read ids scattered over the heap (8 % of its time).
struct ExpiryKey {
  std::int64_t expires_at_ms;
  const std::string* id;  // points at the key inside leases_, stable while the lease exists
  bool operator<(const ExpiryKey& other) const {
    if (expires_at_ms != other.expires_at_ms) return expires_at_ms < other.expires_at_ms;
    return std::less<const std::string*>{}(id, other.id);
  }
};

std::string holder_key(std::int64_t license_id, const std::string& product,
                       const std::string& holder) {
  std::string key = std::to_string(license_id);
  key.push_back('\0');
  key.append(product);
  key.push_back('\0');
  key.append(holder);
  return key;
}

class CachingSeatStore final : public SeatStore {
 public:
  explicit CachingSeatStore(std::unique_ptr<SeatStore> inner) : inner_(std::move(inner)) {
    load_leases();
    license_generation_ = inner_->license_generation();
    lease_purge_ = inner_->lease_purge();
  }

  void begin() override {
    inner_->begin();
    in_transaction_ = true;
    // License rows change rarely and outside the seat path (lmpd admin, the admin API); one
    // counter read per transaction tells whether the cached rows are still current. The same
    // for site policies.
    try {
      refresh_licenses();
      policy_generation_ = inner_->policy_generation();
    } catch (...) {
      inner_->rollback();
      in_transaction_ = false;
      throw;
    }
  }

  void commit() override {
    inner_->commit();
    in_transaction_ = false;
    undo_.clear();
    // The marks reach the cached rows only now: a rolled-back mark is not in the file.
    for (const auto& [license_id, mark_ms] : marks_written_) {
      auto it = licenses_by_id_.find(license_id);
      if (it != licenses_by_id_.end() && it->second.clock_mark_ms < mark_ms)
        it->second.clock_mark_ms = mark_ms;
    }
    marks_written_.clear();
  }

  void rollback() noexcept override {
    inner_->rollback();
    marks_written_.clear();
    if (!in_transaction_) return;
    in_transaction_ = false;
    // Newest first, so every step finds the state it was taken from.
    for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
      const Undo& step = *it;
      switch (step.kind) {
        case Undo::Kind::inserted:
          remove(step.lease.id);
          break;
        case Undo::Kind::deleted:
          add(step.lease);
          break;
        case Undo::Kind::extended:
          if (auto found = leases_.find(step.lease.id); found != leases_.end()) {
            found->second.heartbeat_at_ms = step.lease.heartbeat_at_ms;
            found->second.lingering = step.lease.lingering;
          }
          set_expiry(step.lease.id, step.lease.expires_at_ms);
          break;
      }
    }
    undo_.clear();
  }

  std::shared_ptr<DurabilitySync> detach_durability() override {
    return inner_->detach_durability();
  }

  void lock_license(std::int64_t license_id) override { inner_->lock_license(license_id); }

  std::optional<LicenseRecord> find_license_by_code_hash(const std::string& code_hash) override {
    if (!in_transaction_) refresh_licenses();
    if (auto it = licenses_by_code_.find(code_hash); it != licenses_by_code_.end())
      if (auto row = licenses_by_id_.find(it->second); row != licenses_by_id_.end())
        return row->second;
    // Misses are not cached: a license created a moment ago must be found.
    auto found = inner_->find_license_by_code_hash(code_hash);
    if (found) {
      licenses_by_code_.insert_or_assign(code_hash, found->id);
      licenses_by_id_.insert_or_assign(found->id, *found);
    }
    return found;
  }

  std::optional<LicenseRecord> find_license(std::int64_t license_id) override {
    if (!in_transaction_) refresh_licenses();
    if (auto it = licenses_by_id_.find(license_id); it != licenses_by_id_.end()) return it->second;
    auto found = inner_->find_license(license_id);
    if (found) licenses_by_id_.emplace(license_id, *found);
    return found;
  }

  std::vector<LicenseRecord> customer_licenses(std::int64_t customer_id,
                                               const std::string& product_code) override {
    if (!in_transaction_) refresh_licenses();
    // Kept by customer and product until the license generation moves (a license created,
    // changed or deleted), so a site policy's checkouts read them once, not once each.
    std::string key = std::to_string(customer_id);
    key.push_back('\0');
    key.append(product_code);
    auto [it, fresh] = pools_.try_emplace(std::move(key));
    if (fresh) {
      for (auto& license : inner_->customer_licenses(customer_id, product_code)) {
        it->second.push_back(license.id);
        licenses_by_id_.try_emplace(license.id, std::move(license));
      }
    }
    std::vector<LicenseRecord> out;
    out.reserve(it->second.size());
    for (const std::int64_t id : it->second)
      if (auto row = licenses_by_id_.find(id); row != licenses_by_id_.end())
        out.push_back(row->second);
    return out;
  }

  std::optional<std::string> find_retired_product(const std::string& code_hash) override {
    return inner_->find_retired_product(code_hash);
  }

  std::vector<StoredLifecycle> product_lifecycles() override {
    if (!in_transaction_) refresh_licenses();
    if (!lifecycles_) lifecycles_ = inner_->product_lifecycles();
    return *lifecycles_;
  }

  std::int64_t lease_purge() override { return inner_->lease_purge(); }
  std::vector<UnitsHeldCount> units_held_counts(std::int64_t after_license_id, int limit) override {
    return inner_->units_held_counts(after_license_id, limit);
  }

  // Read once per transaction, at begin() (policies change outside the seat path).
  std::int64_t policy_generation() override {
    if (!in_transaction_) policy_generation_ = inner_->policy_generation();
    return policy_generation_;
  }
  std::vector<domain::StoredPolicy> site_policies() override { return inner_->site_policies(); }

  std::vector<Holding> live_holdings(std::int64_t license_id, std::int64_t now_ms) override {
    // Kept per holder for the licenses a site policy's limits ask about (from their first ask,
    // with one walk over the leases then), so that a checkout costs the holders, not the leases.
    auto [it, fresh] = holdings_.try_emplace(license_id);
    if (fresh)
      for (const auto& [id, lease] : leases_)
        if (lease.license_id == license_id) hold(it->second, lease, lease.units);
    std::map<std::string, Holding> live = it->second;
    // Leases past their expiry but not yet reclaimed still count in it; take them out.
    for (auto e = expiry_.begin(); e != expiry_.end() && e->expires_at_ms <= now_ms; ++e) {
      const CachedLease& lease = leases_.at(*e->id);
      if (lease.license_id == license_id) hold(live, lease, -lease.units);
    }
    std::vector<Holding> out;
    out.reserve(live.size());
    for (auto& [key, holding] : live) out.push_back(std::move(holding));
    return out;
  }

  std::vector<LeaseRecord> take_purged_leases() override {
    std::vector<LeaseRecord> out;
    out.swap(purged_);
    return out;
  }

  std::int64_t units_in_use(std::int64_t license_id, std::int64_t now_ms) override {
    auto it = used_.find(license_id);
    std::int64_t used = it == used_.end() ? 0 : it->second;
    // Leases past their expiry but not yet reclaimed still count in used_; take them out.
    for (auto e = expiry_.begin(); e != expiry_.end() && e->expires_at_ms <= now_ms; ++e) {
      const CachedLease& lease = leases_.at(*e->id);
      if (lease.license_id == license_id) used -= lease.units;
    }
    return used;
  }

  std::int64_t borrowed_units(std::int64_t license_id, std::int64_t now_ms) override {
    // One walk over the cached leases: borrows are rare, and every other checkout is spared an
    // index of its own.
    std::int64_t units = 0;
    for (const auto& [id, lease] : leases_)
      if (lease.borrowed && lease.license_id == license_id && lease.expires_at_ms > now_ms)
        units += lease.units;
    return units;
  }
  std::optional<domain::SigningKey> active_signing_key() override {
    return inner_->active_signing_key();
  }
  void note_signed(const std::string& kid, std::int64_t exp_ms) override {
    inner_->note_signed(kid, exp_ms);
  }

  std::optional<LeaseRecord> find_live_lease_by_holder(std::int64_t license_id,
                                                       const std::string& product_code,
                                                       const std::string& holder,
                                                       std::int64_t now_ms) override {
    auto it = holders_.find(holder_key(license_id, product_code, holder));
    if (it == holders_.end()) return std::nullopt;
    // Several leases may share a holder (anonymous leases, or an expired one and its
    // successor); the index keeps them in id order like the SQL store's answer.
    std::optional<LeaseRecord> best;
    for (const std::string* id : it->second) {
      const CachedLease& lease = leases_.at(*id);
      if (lease.expires_at_ms <= now_ms) continue;
      if (!best || lease.expires_at_ms > best->expires_at_ms) best = record(*id, lease);
    }
    return best;
  }

  std::string holder_proof(std::string_view holder_key) override {
    return inner_->holder_proof(holder_key);
  }

  std::optional<LeaseRecord> find_lease(const std::string& id) override {
    auto it = leases_.find(id);
    if (it == leases_.end()) return std::nullopt;
    return record(it->first, it->second);
  }

  void insert_lease(const LeaseRecord& lease) override {
    inner_->insert_lease(lease);
    add(lease);
    if (in_transaction_) undo_.push_back({Undo::Kind::inserted, lease});
  }

  void set_lease_expiry(const std::string& id, std::int64_t expires_at_ms) override {
    inner_->set_lease_expiry(id, expires_at_ms);
    auto it = leases_.find(id);
    if (it == leases_.end()) return;
    if (in_transaction_) undo_.push_back({Undo::Kind::extended, record(it->first, it->second)});
    set_expiry(id, expires_at_ms);
  }

  void renew_lease(const std::string& id, std::int64_t expires_at_ms,
                   std::int64_t heartbeat_at_ms) override {
    inner_->renew_lease(id, expires_at_ms, heartbeat_at_ms);
    auto it = leases_.find(id);
    if (it == leases_.end()) return;
    if (in_transaction_) undo_.push_back({Undo::Kind::extended, record(it->first, it->second)});
    it->second.heartbeat_at_ms = heartbeat_at_ms;
    it->second.lingering = false;
    set_expiry(id, expires_at_ms);
  }

  void linger_lease(const std::string& id, std::int64_t until_ms) override {
    inner_->linger_lease(id, until_ms);
    auto it = leases_.find(id);
    if (it == leases_.end()) return;
    if (in_transaction_) undo_.push_back({Undo::Kind::extended, record(it->first, it->second)});
    it->second.lingering = true;
    set_expiry(id, until_ms);
  }

  void delete_lease(const std::string& id) override {
    inner_->delete_lease(id);
    auto it = leases_.find(id);
    if (it == leases_.end()) return;
    if (in_transaction_) undo_.push_back({Undo::Kind::deleted, record(it->first, it->second)});
    remove(id);
  }

  std::optional<LeaseRecord> find_lease_by_ref(const std::string& ref) override {
    // No index by reference (it would cost memory for every lease): an administrator's release
    // is rare, and one pass over the leases in memory is short.
    const std::uint64_t wanted = ref_number(ref);
    for (const auto& [id, lease] : leases_)
      if (lease.ref == wanted) return record(id, lease);
    return std::nullopt;
  }
  void revoke_lease(const LeaseRecord& lease, const std::string& reason, std::int64_t now_ms,
                    std::int64_t until_ms) override {
    inner_->revoke_lease(lease, reason, now_ms, until_ms);
  }
  std::optional<std::string> find_revoked_lease(const std::string& id,
                                                std::int64_t now_ms) override {
    return inner_->find_revoked_lease(id, now_ms);
  }
  std::int64_t forget_revoked_leases(std::int64_t now_ms, int limit) override {
    return inner_->forget_revoked_leases(now_ms, limit);
  }
  void append_audit(const domain::AuditRecord& record) override { inner_->append_audit(record); }
  void append_usage(const domain::UsageRecord& record) override { inner_->append_usage(record); }
  std::int64_t prune_usage(std::int64_t before_ms, int limit) override {
    return inner_->prune_usage(before_ms, limit);
  }

  std::vector<LeaseRecord> reclaim_expired(std::int64_t now_ms, int limit) override {
    std::vector<LeaseRecord> expired;
    for (auto e = expiry_.begin(); e != expiry_.end() && e->expires_at_ms <= now_ms &&
                                   static_cast<int>(expired.size()) < limit;
         ++e) {
      expired.push_back(record(*e->id, leases_.at(*e->id)));
    }
    if (expired.empty()) return expired;
    const bool own = !in_transaction_;
    if (own) begin();
    try {
      for (const auto& lease : expired) delete_lease(lease.id);
      if (own) commit();
    } catch (...) {
      if (own) rollback();
      throw;
    }
    return expired;
  }

  std::int64_t lease_count() override { return static_cast<std::int64_t>(leases_.size()); }

  void for_each_lease(const std::function<void(const LeaseRecord&)>& visit) override {
    // One record refilled for every lease: its strings keep their buffers, so visiting a
    // million leases (the metrics' seeding at every start) allocates nothing per lease.
    LeaseRecord r;
    for (const auto& [id, lease] : leases_) {
      fill(r, id, lease);
      visit(r);
    }
  }

  std::vector<ProductLeaseTotals> lease_totals_by_product() override {
    // A site has a few products: a scan of them per lease beats hashing each lease's code.
    std::vector<ProductLeaseTotals> totals;
    for (const auto& entry : leases_) {
      // Not a structured binding: clang 14 (the fuzz build's) cannot capture one in a lambda.
      const CachedLease& lease = entry.second;
      auto total = std::find_if(totals.begin(), totals.end(), [&](const ProductLeaseTotals& t) {
        return t.product_code == lease.product_code;
      });
      if (total == totals.end()) total = totals.insert(totals.end(), {lease.product_code, 0, 0});
      total->leases += 1;
      total->units += lease.units;
    }
    return totals;
  }

  std::int64_t license_generation() override { return inner_->license_generation(); }

  std::int64_t server_clock_mark() override { return inner_->server_clock_mark(); }
  void advance_server_clock_mark(std::int64_t mark_ms) override {
    inner_->advance_server_clock_mark(mark_ms);
  }
  void advance_license_clock_mark(std::int64_t license_id, std::int64_t mark_ms) override {
    inner_->advance_license_clock_mark(license_id, mark_ms);
    marks_written_.emplace_back(license_id, mark_ms);
  }

  void record_activation(std::int64_t license_id, const std::string& host, const std::string& user,
                         std::int64_t now_ms) override {
    inner_->record_activation(license_id, host, user, now_ms);
  }
  std::int64_t activation_count(std::int64_t license_id) override {
    return inner_->activation_count(license_id);
  }
  std::int64_t create_customer(const std::string& name, std::int64_t now_ms) override {
    return inner_->create_customer(name, now_ms);
  }
  std::optional<std::int64_t> find_customer(const std::string& name) override {
    return inner_->find_customer(name);
  }
  std::int64_t create_license(const NewLicense& license) override {
    return inner_->create_license(license);
  }
  std::vector<LicenseRecord> list_licenses() override { return inner_->list_licenses(); }

 private:
  struct Undo {
    enum class Kind { inserted, deleted, extended } kind;
    LeaseRecord lease;  // the lease as it was before the change (as inserted, for inserted)
  };

  void refresh_licenses() {
    const std::int64_t generation = inner_->license_generation();
    if (generation == license_generation_) return;
    licenses_by_code_.clear();
    licenses_by_id_.clear();
    pools_.clear();
    lifecycles_.reset();
    // An End-of-Life deletion (which also moves the license generation) removed leases in
    // another session: what is in memory no longer matches the database, so load it again.
    // The generation is taken last, so a failed reload is tried again by the next transaction.
    const std::int64_t purge = inner_->lease_purge();
    if (purge != lease_purge_) {
      expiry_.clear();
      holders_.clear();
      used_.clear();
      holdings_.clear();
      auto before = std::move(leases_);
      leases_.clear();
      load_leases();
      for (const auto& [id, lease] : before)
        if (leases_.count(id) == 0) purged_.push_back(record(id, lease));
      lease_purge_ = purge;
    }
    license_generation_ = generation;
  }

  void load_leases() {
    // Sized once up front: growing to a million leases would rehash the table twenty times,
    // the restart's largest cost after the inserts themselves.
    const auto count = static_cast<std::size_t>(inner_->lease_count());
    leases_.reserve(count);
    // The rows come in the order of their keys, which are random: inserted one by one in that
    // order, a million expiry keys took 2.5 s of a restart's 8.8 (a cache miss at every level of
    // the tree). Collected, sorted, then appended in order, each insert is constant time.
    std::vector<ExpiryKey> expiries;
    expiries.reserve(count);
    loading_expiries_ = &expiries;
    try {
      inner_->for_each_lease([this](const LeaseRecord& lease) { add(lease); });
    } catch (...) {
      loading_expiries_ = nullptr;
      throw;
    }
    loading_expiries_ = nullptr;
    std::sort(expiries.begin(), expiries.end());
    for (const ExpiryKey& key : expiries) expiry_.insert(expiry_.end(), key);
  }

  static void fill(LeaseRecord& r, const std::string& id, const CachedLease& lease) {
    r.id = id;
    r.license_id = lease.license_id;
    r.product_code = lease.product_code;
    r.holder = lease.holder;
    r.holder_proof = lease.holder_proof;
    r.units = lease.units;
    r.issued_at_ms = lease.issued_at_ms;
    r.expires_at_ms = lease.expires_at_ms;
    write_ref(lease.ref, r.ref);
    r.user = lease.user;
    r.host = lease.host;
    r.peer = lease.peer;
    r.heartbeat_at_ms = lease.heartbeat_at_ms;
    r.borrowed = lease.borrowed;
    r.lingering = lease.lingering;
  }

  static LeaseRecord record(const std::string& id, const CachedLease& lease) {
    LeaseRecord r;
    fill(r, id, lease);
    return r;
  }

  // Adds `units` to what the lease's holder holds in `by_holder` (units < 0 takes them away).
  static void hold(std::map<std::string, Holding>& by_holder, const CachedLease& lease,
                   std::int64_t units) {
    std::string key = lease.user;
    key.push_back('\0');
    key.append(lease.host);
    key.push_back('\0');
    key.append(lease.peer);
    auto [it, fresh] = by_holder.try_emplace(std::move(key));
    if (fresh) it->second = {0, lease.user, lease.host, lease.peer};
    if ((it->second.units += units) <= 0) by_holder.erase(it);
  }

  void add(const LeaseRecord& lease) {
    CachedLease cached{lease.license_id,
                       lease.units,
                       lease.issued_at_ms,
                       lease.expires_at_ms,
                       lease.heartbeat_at_ms,
                       ref_number(lease.ref),
                       lease.borrowed,
                       lease.lingering,
                       lease.product_code,
                       lease.holder,
                       lease.holder_proof,
                       lease.user,
                       lease.host,
                       lease.peer};
    auto [it, inserted] = leases_.emplace(lease.id, std::move(cached));
    if (!inserted) return;
    const std::string* id = &it->first;
    used_[lease.license_id] += lease.units;
    if (auto held = holdings_.find(lease.license_id); held != holdings_.end())
      hold(held->second, it->second, lease.units);
    if (loading_expiries_ != nullptr)
      loading_expiries_->push_back(ExpiryKey{lease.expires_at_ms, id});
    else
      expiry_.insert(ExpiryKey{lease.expires_at_ms, id});
    // Anonymous leases are never looked up by holder; indexing them would cost memory per lease.
    if (!lease.holder.empty())
      holders_[holder_key(lease.license_id, lease.product_code, lease.holder)].insert(id);
  }

  void remove(const std::string& id) {
    auto it = leases_.find(id);
    if (it == leases_.end()) return;
    const CachedLease& lease = it->second;
    const std::string* key = &it->first;
    expiry_.erase(ExpiryKey{lease.expires_at_ms, key});
    auto used = used_.find(lease.license_id);
    if (used != used_.end() && (used->second -= lease.units) == 0) used_.erase(used);
    if (auto held = holdings_.find(lease.license_id); held != holdings_.end())
      hold(held->second, lease, -lease.units);
    auto holder =
        lease.holder.empty()
            ? holders_.end()
            : holders_.find(holder_key(lease.license_id, lease.product_code, lease.holder));
    if (holder != holders_.end()) {
      holder->second.erase(key);
      if (holder->second.empty()) holders_.erase(holder);
    }
    leases_.erase(it);
  }

  void set_expiry(const std::string& id, std::int64_t expires_at_ms) {
    auto it = leases_.find(id);
    if (it == leases_.end()) return;
    expiry_.erase(ExpiryKey{it->second.expires_at_ms, &it->first});
    it->second.expires_at_ms = expires_at_ms;
    expiry_.insert(ExpiryKey{expires_at_ms, &it->first});
  }

  struct IdPointerLess {
    bool operator()(const std::string* a, const std::string* b) const { return *a < *b; }
  };

  std::unique_ptr<SeatStore> inner_;
  bool in_transaction_ = false;
  std::vector<Undo> undo_;

  std::unordered_map<std::string, CachedLease> leases_;  // by lease id
  std::unordered_map<std::int64_t, std::int64_t> used_;  // license id -> units of stored leases
  // License id -> the units of its stored leases per holder (user, host, address): only for the
  // licenses live_holdings() was asked about.
  std::unordered_map<std::int64_t, std::map<std::string, Holding>> holdings_;
  std::set<ExpiryKey> expiry_;
  std::vector<ExpiryKey>* loading_expiries_ = nullptr;  // set while load_leases() reads them
  std::unordered_map<std::string, std::set<const std::string*, IdPointerLess>> holders_;

  std::int64_t license_generation_ = -1;
  std::int64_t lease_purge_ = -1;
  std::int64_t policy_generation_ = -1;
  std::optional<std::vector<StoredLifecycle>> lifecycles_;  // loaded on first use
  std::vector<LeaseRecord> purged_;                         // removed by a purge, not yet taken
  // One row per license, by id; the code index names the row, so a mark moved by id is seen
  // through both.
  std::unordered_map<std::string, std::int64_t> licenses_by_code_;
  std::unordered_map<std::int64_t, LicenseRecord> licenses_by_id_;
  // Customer and product -> the ids of the customer's licenses of the product (asked ones only).
  std::unordered_map<std::string, std::vector<std::int64_t>> pools_;
  std::vector<std::pair<std::int64_t, std::int64_t>> marks_written_;  // this transaction's
};

}  // namespace

std::unique_ptr<SeatStore> make_caching_store(std::unique_ptr<SeatStore> inner) {
  return std::make_unique<CachingSeatStore>(std::move(inner));
}

}  // namespace lmp::storage
