// Merging a transaction's lease changes per lease, and the document that carries them to
// PostgreSQL in one statement.
#include "storage/pending_seat_writes.hpp"

#include <boost/json.hpp>
#include <utility>

namespace lmp::storage {
namespace {

boost::json::value optional_number(const std::optional<std::int64_t>& value) {
  if (!value) return nullptr;
  return *value;
}

}  // namespace

void PendingSeatWrites::insert(LeaseRecord row, std::string sealed_id) {
  Change change;
  change.kind = Change::Kind::inserted;
  change.sealed_id = std::move(sealed_id);
  std::string key = row.id;
  change.row = std::move(row);
  leases_.insert_or_assign(std::move(key), std::move(change));
}

void PendingSeatWrites::update(const std::string& row_key,
                               std::optional<std::int64_t> expires_at_ms,
                               std::optional<std::int64_t> heartbeat_at_ms,
                               std::optional<bool> lingering) {
  auto [it, fresh] = leases_.try_emplace(row_key);
  Change& change = it->second;
  switch (change.kind) {
    case Change::Kind::deleted:
      // An UPDATE of a deleted row changes nothing.
      return;
    case Change::Kind::inserted:
      if (expires_at_ms) change.row.expires_at_ms = *expires_at_ms;
      if (heartbeat_at_ms) change.row.heartbeat_at_ms = *heartbeat_at_ms;
      if (lingering) change.row.lingering = *lingering;
      return;
    case Change::Kind::updated:
      if (expires_at_ms) change.expires_at_ms = expires_at_ms;
      if (heartbeat_at_ms) change.heartbeat_at_ms = heartbeat_at_ms;
      if (lingering) change.lingering = lingering;
      return;
  }
}

void PendingSeatWrites::erase(const std::string& row_key) {
  auto it = leases_.find(row_key);
  // Inserted and deleted in one transaction: the row never was, and neither was its units'
  // count on the license row (the trigger would add and take them away again).
  if (it != leases_.end() && it->second.kind == Change::Kind::inserted) {
    leases_.erase(it);
    return;
  }
  Change deleted;
  deleted.kind = Change::Kind::deleted;
  leases_.insert_or_assign(row_key, std::move(deleted));
}

void PendingSeatWrites::append_usage(const domain::UsageRecord& record) {
  usage_.push_back(record);
}

void PendingSeatWrites::clear() {
  leases_.clear();
  usage_.clear();
}

std::string PendingSeatWrites::json() const {
  boost::json::array inserted;
  boost::json::array updated;
  boost::json::array deleted;
  for (const auto& [key, change] : leases_) {
    switch (change.kind) {
      case Change::Kind::inserted: {
        const LeaseRecord& r = change.row;
        inserted.push_back(boost::json::object{{"id", key},
                                               {"sealed_id", change.sealed_id},
                                               {"license_id", r.license_id},
                                               {"product_code", r.product_code},
                                               {"holder", r.holder},
                                               {"holder_proof", r.holder_proof},
                                               {"units", r.units},
                                               {"issued_at_ms", r.issued_at_ms},
                                               {"expires_at_ms", r.expires_at_ms},
                                               {"ref", r.ref},
                                               {"user_name", r.user},
                                               {"host", r.host},
                                               {"peer", r.peer},
                                               {"heartbeat_at_ms", r.heartbeat_at_ms},
                                               {"borrowed", r.borrowed ? 1 : 0},
                                               {"instance", r.instance},
                                               {"lingering", r.lingering ? 1 : 0}});
        break;
      }
      case Change::Kind::updated: {
        boost::json::value lingering = nullptr;
        if (change.lingering) lingering = *change.lingering ? 1 : 0;
        updated.push_back(
            boost::json::object{{"id", key},
                                {"expires_at_ms", optional_number(change.expires_at_ms)},
                                {"heartbeat_at_ms", optional_number(change.heartbeat_at_ms)},
                                {"lingering", std::move(lingering)}});
        break;
      }
      case Change::Kind::deleted:
        deleted.push_back(boost::json::string(key));
        break;
    }
  }
  boost::json::array usage;
  for (const auto& record : usage_)
    usage.push_back(boost::json::object{{"at_ms", record.at_ms},
                                        {"event", record.event},
                                        {"license_id", record.license_id},
                                        {"product_code", record.product_code},
                                        {"customer_id", record.customer_id},
                                        {"account_id", optional_number(record.account_id)},
                                        {"scope", record.scope},
                                        {"units", record.units},
                                        {"user_name", record.user},
                                        {"host", record.host},
                                        {"peer", record.peer},
                                        {"lease_ref", record.lease_ref},
                                        {"code", record.code},
                                        {"since_ms", optional_number(record.since_ms)}});
  boost::json::object out;
  if (!inserted.empty()) out["inserted"] = std::move(inserted);
  if (!updated.empty()) out["updated"] = std::move(updated);
  if (!deleted.empty()) out["deleted"] = std::move(deleted);
  if (!usage.empty()) out["usage"] = std::move(usage);
  return boost::json::serialize(out);
}

}  // namespace lmp::storage
