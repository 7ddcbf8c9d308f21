// Creating something whose name must be unique in the tree (accounts, customers, plans): the
// repository's DuplicateError becomes the domain's name_taken refusal.
#pragma once

#include <string>

#include "domain/domain_error.hpp"
#include "domain/store_error.hpp"

namespace lmp::domain {

// Runs `create` and returns what it made; throws DomainError name_taken with the repository's
// message when the name exists.
template <class Create>
auto unique_name(Create&& create) -> decltype(create()) {
  try {
    return create();
  } catch (const DuplicateError& ex) {
    throw DomainError(ErrorCode::name_taken, ex.what());
  }
}

}  // namespace lmp::domain
