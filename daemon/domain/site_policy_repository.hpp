// The customers' site policies (a port: storage implements it), kept as their JSON text. Every
// method REQUIRES the unit of work's open transaction and throws StoreError when the database
// fails.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lmp::domain {

struct StoredPolicy {
  std::int64_t customer_id = 0;
  std::string product;  // "" for all the customer's products
  std::string text;     // the policy's JSON (site_policy_text)
  std::int64_t updated_at_ms = 0;
  // The policy file it was loaded from (the file is then its only source: the admin API may not
  // change it); "" for a policy set through the admin API.
  std::string source;
};

class SitePolicyRepository {
 public:
  virtual ~SitePolicyRepository() = default;

  virtual std::optional<StoredPolicy> find(std::int64_t customer_id,
                                           const std::string& product) = 0;
  // The customer's policies, by product ("" first).
  virtual std::vector<StoredPolicy> list(std::int64_t customer_id) = 0;
  // Replaces the customer's policy for the product (creates it the first time), and moves the
  // policy generation the seat path compiles its policies by (SeatStore::policy_generation).
  virtual void set(const StoredPolicy& policy) = 0;
  // Deletes it (moving the generation); false when there was none.
  virtual bool remove(std::int64_t customer_id, const std::string& product) = 0;
  // Every customer's policies that came from a policy file.
  virtual std::vector<StoredPolicy> list_from_files() = 0;
};

}  // namespace lmp::domain
