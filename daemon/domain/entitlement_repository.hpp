// What the server keeps about entitlements (a port: storage implements it): on a site server its
// site id and the entitlement each imported license came from; on the vendor's server the serial
// of each exported license's terms. Every method REQUIRES an open transaction and throws
// StoreError when the database fails.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace lmp::domain {

// The entitlement a license on a site server was imported from.
struct ImportedEntitlement {
  std::int64_t vendor_license = 0;  // the license's id on the vendor's server
  std::int64_t license_id = 0;      // the license made here
  std::int64_t serial = 0;
  std::string kid;         // the vendor key that signed it
  std::string terms_json;  // its terms as signed (EntitlementTerms::json())
  std::int64_t imported_at_ms = 0;
};

// The serial the vendor's server gave a license's terms as last exported.
struct ExportedSerial {
  std::int64_t license_id = 0;
  std::int64_t serial = 0;
  std::string terms_json;
};

class EntitlementRepository {
 public:
  virtual ~EntitlementRepository() = default;

  // The site id; nullopt until one was stored.
  virtual std::optional<std::string> site_id() = 0;
  // Stores the site id unless one is stored already (then nothing changes).
  virtual void insert_site_id(const std::string& site_id, std::int64_t now_ms) = 0;

  // The server's durable high-water mark of the wall clock (Unix ms; 0 before the first), the
  // time no judgement of a license or an entitlement goes back before (docs/architecture.md,
  // "Time").
  virtual std::int64_t server_clock_mark() = 0;

  virtual std::optional<ImportedEntitlement> imported(std::int64_t vendor_license) = 0;
  // Inserts or replaces the row of `entitlement.vendor_license`.
  virtual void save_imported(const ImportedEntitlement& entitlement) = 0;

  virtual std::optional<ExportedSerial> exported(std::int64_t license_id) = 0;
  // Inserts or replaces the row of `serial.license_id`.
  virtual void save_exported(const ExportedSerial& serial) = 0;
};

}  // namespace lmp::domain
