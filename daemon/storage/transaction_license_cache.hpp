// License rows read once per transaction: a batch of seat requests asks for the same license
// several times (each checkout by its code, each usage record, each heartbeat), and on PostgreSQL
// every ask is a round trip.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "storage/seat_store.hpp"

namespace lmp::storage {

// Holds what the open transaction read; the store clears it when a transaction begins or ends
// and when the transaction itself writes what a row shows (a clock mark). Another session can
// change a license row only by committing: the license a batch decides on is locked by it from
// its first checkout to its commit, so nobody else changes that one meanwhile; any other row is
// at most as old as the batch (milliseconds), as if the batch had read it at its first ask, and
// the next batch reads it again. A license not found is not kept (it is asked again).
// Thread safety: none; one per store.
class TransactionLicenseCache {
 public:
  void clear() {
    by_id_.clear();
    id_by_code_.clear();
  }
  const LicenseRecord* find(std::int64_t id) const {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : &it->second;
  }
  // `keyed_code_hash` as the database keeps it (StoredSecrets::code_hash).
  const LicenseRecord* find_by_code(const std::string& keyed_code_hash) const {
    auto it = id_by_code_.find(keyed_code_hash);
    return it == id_by_code_.end() ? nullptr : find(it->second);
  }
  void keep(const LicenseRecord& row) { by_id_.insert_or_assign(row.id, row); }
  void keep(const LicenseRecord& row, const std::string& keyed_code_hash) {
    keep(row);
    id_by_code_.insert_or_assign(keyed_code_hash, row.id);
  }

 private:
  std::unordered_map<std::int64_t, LicenseRecord> by_id_;
  std::unordered_map<std::string, std::int64_t> id_by_code_;
};

}  // namespace lmp::storage
