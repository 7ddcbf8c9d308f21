// Opening the domain's unit of work on the configured database: a session of its own, so admin
// work never waits on (or blocks) the seat path's session longer than one short transaction.
#pragma once

#include <memory>

#include "core/env.hpp"
#include "domain/unit_of_work.hpp"
#include "storage/storage_options.hpp"

namespace lmp::storage {

// Opens its own session on the configured database (SQLite: WAL, busy timeout; migrations and
// the server secret, read through `env`, as for the seat store). Throws StoreError.
std::unique_ptr<domain::UnitOfWork> open_unit_of_work(const Options& storage,
                                                      Env& env = Env::posix());

}  // namespace lmp::storage
