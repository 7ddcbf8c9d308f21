// How the repositories fail (the domain's ports; storage implements them and throws these), so
// that the domain can tell a taken name or a clashing hash from a database that is away.
#pragma once

#include <stdexcept>

namespace lmp::domain {

// Any failure of the database itself (cannot open, disk full, locked past the timeout, a
// constraint broken). Messages never contain bound values, so secrets do not reach the logs.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A value that must be unique (a name, a code or key hash) already exists.
class DuplicateError : public StoreError {
 public:
  using StoreError::StoreError;
};

}  // namespace lmp::domain
