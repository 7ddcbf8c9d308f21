// The registration keys (a port: storage implements it). Every method REQUIRES the unit of work's
// open transaction and throws StoreError when the database fails.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/page.hpp"
#include "domain/registration_key.hpp"

namespace lmp::domain {

class KeyRepository {
 public:
  virtual ~KeyRepository() = default;

  // Returns the new key's id; DuplicateError when the hash exists (draw another key).
  virtual std::int64_t create(const RegistrationKey& key) = 0;
  virtual std::optional<RegistrationKey> find(std::int64_t id) = 0;
  virtual std::optional<RegistrationKey> find_by_hash(const std::string& key_hash) = 0;
  // Keys issued by the accounts in the subtree of `path`.
  virtual std::vector<RegistrationKey> list_under(const std::string& path, Page page) = 0;
  // The keys of `product` still `issued`, in id order (its End of Life voids them).
  virtual std::vector<RegistrationKey> issued_of_product(const std::string& product) = 0;
  // Moves an `issued` key to `status` (redeemed or voided); false when it was not issued any
  // more (a concurrent call won): a conditional update, so exactly one caller succeeds.
  virtual bool leave_issued(std::int64_t id, KeyStatus status, std::int64_t now_ms) = 0;
  virtual void set_redemption(std::int64_t id, std::int64_t customer_id,
                              std::int64_t license_id) = 0;
};

}  // namespace lmp::domain
