// The accounts' branding (a port: storage implements it). Every method REQUIRES the unit of
// work's open transaction and throws StoreError when the database fails.
#pragma once

#include <cstdint>
#include <optional>

#include "domain/branding.hpp"

namespace lmp::domain {

class BrandingRepository {
 public:
  virtual ~BrandingRepository() = default;

  virtual std::optional<Branding> find(std::int64_t account_id) = 0;
  // Replaces the account's branding (creates it the first time).
  virtual void set(const Branding& branding) = 0;
  virtual std::optional<BrandingLogo> find_logo(std::int64_t account_id) = 0;
  // Replaces the account's logo (creates it the first time).
  virtual void set_logo(const BrandingLogo& logo) = 0;
  virtual void remove_logo(std::int64_t account_id) = 0;
};

}  // namespace lmp::domain
