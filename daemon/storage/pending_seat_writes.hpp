// The lease and usage writes of one PostgreSQL seat transaction, held back and merged per lease so
// that they reach the server in one statement (lmp_seat_step, schema migrations) instead of one
// round trip each (docs/scale-out.md "One round trip per batch").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/usage_record.hpp"
#include "storage/seat_store.hpp"

namespace lmp::storage {

// What the transaction wrote and has not sent yet. Leases are named by their row keys (the
// stored `id`, storage/stored_secrets.hpp). The changes of one lease merge into the one change
// that leaves the same row behind (an insert that was renewed is the renewed insert; a renewed
// lease that was deleted is a delete), so rows of different leases are all that is left, and the
// order in which they are applied changes nothing. Usage records keep their order.
// Thread safety: none; one per store.
class PendingSeatWrites {
 public:
  // `row` has its row key in `id`. REQUIRES: !touches(row.id) (the caller sends what is
  // pending first: a row key that came and went in one transaction is left in its order).
  void insert(LeaseRecord row, std::string sealed_id);
  // The fields given replace the stored ones; on a lease deleted in this transaction, nothing.
  void update(const std::string& row_key, std::optional<std::int64_t> expires_at_ms,
              std::optional<std::int64_t> heartbeat_at_ms, std::optional<bool> lingering);
  void erase(const std::string& row_key);
  void append_usage(const domain::UsageRecord& record);

  // Whether a change of this lease is pending (a read of it must see the change).
  bool touches(const std::string& row_key) const { return leases_.count(row_key) != 0; }
  bool empty() const { return leases_.empty() && usage_.empty(); }
  void clear();

  // The pending writes as the JSON document lmp_seat_step applies: {"inserted": [rows],
  // "updated": [{id, expires_at_ms, heartbeat_at_ms, lingering}, null for a field unchanged],
  // "deleted": [row keys], "usage": [records in order]}, each key only when it has entries.
  std::string json() const;

 private:
  struct Change {
    enum class Kind { inserted, updated, deleted } kind = Kind::updated;
    LeaseRecord row;  // inserted: the whole row, changes applied
    std::string sealed_id;
    std::optional<std::int64_t> expires_at_ms;  // updated: the fields to replace
    std::optional<std::int64_t> heartbeat_at_ms;
    std::optional<bool> lingering;
  };
  std::map<std::string, Change> leases_;  // by row key
  std::vector<domain::UsageRecord> usage_;
};

}  // namespace lmp::storage
