// A SeatStore that forwards every call to another one; tests derive from it to observe or
// change a single behaviour of a real store.
#pragma once

#include <memory>
#include <utility>

#include "storage/seat_store.hpp"

namespace lmp::test {

class ForwardingSeatStore : public storage::SeatStore {
 public:
  explicit ForwardingSeatStore(std::unique_ptr<storage::SeatStore> inner)
      : inner_(std::move(inner)) {}

  std::shared_ptr<storage::DurabilitySync> detach_durability() override {
    return inner_->detach_durability();
  }
  void begin() override { inner_->begin(); }
  void commit() override { inner_->commit(); }
  void rollback() noexcept override { inner_->rollback(); }
  void lock_license(std::int64_t id) override { inner_->lock_license(id); }
  std::optional<storage::LicenseRecord> find_license_by_code_hash(const std::string& h) override {
    return inner_->find_license_by_code_hash(h);
  }
  std::optional<storage::LicenseRecord> find_license(std::int64_t id) override {
    return inner_->find_license(id);
  }
  std::vector<storage::LicenseRecord> customer_licenses(std::int64_t customer,
                                                        const std::string& product) override {
    return inner_->customer_licenses(customer, product);
  }
  std::optional<std::string> find_retired_product(const std::string& h) override {
    return inner_->find_retired_product(h);
  }
  std::int64_t lease_purge() override { return inner_->lease_purge(); }
  std::vector<storage::UnitsHeldCount> units_held_counts(std::int64_t after_license_id,
                                                         int limit) override {
    return inner_->units_held_counts(after_license_id, limit);
  }
  std::int64_t policy_generation() override { return inner_->policy_generation(); }
  std::vector<domain::StoredPolicy> site_policies() override { return inner_->site_policies(); }
  std::vector<storage::Holding> live_holdings(std::int64_t license_id,
                                              std::int64_t now_ms) override {
    return inner_->live_holdings(license_id, now_ms);
  }
  std::int64_t server_clock_mark() override { return inner_->server_clock_mark(); }
  void advance_server_clock_mark(std::int64_t mark) override {
    inner_->advance_server_clock_mark(mark);
  }
  void advance_license_clock_mark(std::int64_t id, std::int64_t mark) override {
    inner_->advance_license_clock_mark(id, mark);
  }
  std::vector<storage::LeaseRecord> take_purged_leases() override {
    return inner_->take_purged_leases();
  }
  std::vector<storage::StoredLifecycle> product_lifecycles() override {
    return inner_->product_lifecycles();
  }
  std::int64_t units_in_use(std::int64_t id, std::int64_t now) override {
    return inner_->units_in_use(id, now);
  }
  std::int64_t borrowed_units(std::int64_t id, std::int64_t now) override {
    return inner_->borrowed_units(id, now);
  }
  std::optional<domain::SigningKey> active_signing_key() override {
    return inner_->active_signing_key();
  }
  void note_signed(const std::string& kid, std::int64_t exp_ms) override {
    inner_->note_signed(kid, exp_ms);
  }
  std::optional<storage::LeaseRecord> find_live_lease_by_holder(std::int64_t id,
                                                                const std::string& product,
                                                                const std::string& holder,
                                                                std::int64_t now) override {
    return inner_->find_live_lease_by_holder(id, product, holder, now);
  }
  std::string holder_proof(std::string_view holder_key) override {
    return inner_->holder_proof(holder_key);
  }
  std::optional<storage::LeaseRecord> find_lease(const std::string& id) override {
    return inner_->find_lease(id);
  }
  void expect_leases(const std::vector<std::string>& ids) override { inner_->expect_leases(ids); }
  void insert_lease(const storage::LeaseRecord& lease) override { inner_->insert_lease(lease); }
  void set_lease_expiry(const std::string& id, std::int64_t expires) override {
    inner_->set_lease_expiry(id, expires);
  }
  void renew_lease(const std::string& id, std::int64_t expires, std::int64_t heartbeat) override {
    inner_->renew_lease(id, expires, heartbeat);
  }
  void linger_lease(const std::string& id, std::int64_t until_ms) override {
    inner_->linger_lease(id, until_ms);
  }
  void delete_lease(const std::string& id) override { inner_->delete_lease(id); }
  std::optional<storage::LeaseRecord> find_lease_by_ref(const std::string& ref) override {
    return inner_->find_lease_by_ref(ref);
  }
  void revoke_lease(const storage::LeaseRecord& lease, const std::string& reason, std::int64_t now,
                    std::int64_t until) override {
    inner_->revoke_lease(lease, reason, now, until);
  }
  std::optional<std::string> find_revoked_lease(const std::string& id, std::int64_t now) override {
    return inner_->find_revoked_lease(id, now);
  }
  std::int64_t forget_revoked_leases(std::int64_t now, int limit) override {
    return inner_->forget_revoked_leases(now, limit);
  }
  void append_audit(const domain::AuditRecord& record) override { inner_->append_audit(record); }
  void append_usage(const domain::UsageRecord& record) override { inner_->append_usage(record); }
  std::int64_t prune_usage(std::int64_t before, int limit) override {
    return inner_->prune_usage(before, limit);
  }
  std::vector<storage::LeaseRecord> reclaim_expired(std::int64_t now, int limit) override {
    return inner_->reclaim_expired(now, limit);
  }
  std::int64_t lease_count() override { return inner_->lease_count(); }
  std::vector<storage::ProductLeaseTotals> lease_totals_by_product() override {
    return inner_->lease_totals_by_product();
  }
  void for_each_lease(const std::function<void(const storage::LeaseRecord&)>& visit) override {
    inner_->for_each_lease(visit);
  }
  std::int64_t license_generation() override { return inner_->license_generation(); }
  void record_activation(std::int64_t id, const std::string& host, const std::string& user,
                         std::int64_t now) override {
    inner_->record_activation(id, host, user, now);
  }
  std::int64_t activation_count(std::int64_t id) override { return inner_->activation_count(id); }
  std::int64_t create_customer(const std::string& name, std::int64_t now) override {
    return inner_->create_customer(name, now);
  }
  std::optional<std::int64_t> find_customer(const std::string& name) override {
    return inner_->find_customer(name);
  }
  std::int64_t create_license(const storage::NewLicense& license) override {
    return inner_->create_license(license);
  }
  std::vector<storage::LicenseRecord> list_licenses() override { return inner_->list_licenses(); }

 protected:
  std::unique_ptr<storage::SeatStore> inner_;
};

}  // namespace lmp::test
