// The watched folder of entitlements (`entitlements.directory`, docs/entitlements.md): its
// `*.jws` files imported at start and on reload, each as POST /v1/entitlements imports one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/entitlements.hpp"
#include "domain/product.hpp"
#include "domain/unit_of_work.hpp"
#include "domain/vendor_keys.hpp"

namespace lmp::domain {

// What a file of the folder is named like to be imported; other files are left alone (a file
// being written under another name and renamed into place is read only once it is complete).
inline constexpr std::string_view kEntitlementFileSuffix = ".jws";
// Appended to a file's path for the file that holds the activation code of the license it made.
inline constexpr std::string_view kActivationCodeSuffix = ".code";

// One file of the folder as read: its text (up to one byte over kMaxEntitlementSize, so that the
// importer says it is too large), or why it could not be read.
struct EntitlementFile {
  std::string path;
  std::string text;
  std::string unreadable;  // empty when read
};

// The regular files named `*.jws` directly in `folder` (not in its subfolders), read, in the
// order of their names. A folder that cannot be listed gives none and says why in `error`.
std::vector<EntitlementFile> read_entitlement_folder(const std::string& folder, std::string& error);

// What one file's import came to.
struct FolderImport {
  std::string path;
  ImportAttempt attempt;
  std::string failure;  // the storage failure that kept it from being decided; "" otherwise
  // Where the activation code of the license it created was written (`<path>.code`); "" when it
  // created none.
  std::string code_file;
};

// Imports each file in a write transaction of its own, as the local operator (lmpd itself acting
// for the site's administrator): a refused file is audited and logged (`entitlement_file_refused`
// with its path and reason), a file that could not be read is refused as malformed, a storage
// failure is logged and leaves that file to the next reload; none of them affects the other files
// or what is stored. Imports and unchanged files are logged too (`entitlement_file_imported`).
// A created license's activation code is written to `<path>.code` (mode 0600) before the commit;
// when it cannot be, the license is not made.
std::vector<FolderImport> import_entitlement_files(UnitOfWork& db, std::int64_t now_ms,
                                                   const Products& products, const SiteTrust& trust,
                                                   const std::vector<EntitlementFile>& files);

}  // namespace lmp::domain
