// A SeatStore that keeps every lease, the units in use per license and the license rows in
// memory, so the seat path reads nothing from the database and writes one row per operation.
// Valid only while this store is the single writer of leases to its database (one lmpd per
// SQLite file, enforced by the daemon's lock file); never for a database shared by instances.
#pragma once

#include <memory>

#include "storage/seat_store.hpp"

namespace lmp::storage {

// Loads every lease of `inner` and serves reads from memory from then on. Writes go to `inner`
// first and reach the memory only when they succeeded; rollback() undoes the memory too.
std::unique_ptr<SeatStore> make_caching_store(std::unique_ptr<SeatStore> inner);

}  // namespace lmp::storage
