// The set of families the daemon serves, loaded from its plugin folders and looked up by the
// family name products refer to.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "plugin/loader.hpp"

namespace lmp::plugin {

// Thread safety: loading and add() need exclusive access; once loading is done, find() and
// names() may be called from any number of threads.
class FamilyRegistry {
 public:
  // Loads every file whose name ends in ".so" directly inside each of `directories` (not
  // recursive), folder after folder and in file-name order within one, except the files a family
  // is loaded from already: called again (on a reload) it loads only files added since, so a new
  // family needs no restart, while a changed file keeps its old code until one. Each refusal is
  // appended to `failures` and the file skipped; so is:
  //  - an entry that is a symlink resolving outside every one of `directories` (the folders must
  //    be the whole list of code the daemon runs, so a link may not point elsewhere; a link from
  //    one listed folder into another is fine),
  //  - an entry that is not a regular file once symlinks are followed,
  //  - a second plugin claiming a family name already loaded (the first one wins: an earlier
  //    folder, then an earlier name).
  // A missing, unreadable or non-directory folder is a single failure naming it; the others
  // still load. `host` must outlive the registry.
  void load_directories(const std::vector<std::filesystem::path>& directories, sdk::Host& host,
                        std::vector<LoadFailure>& failures);
  // load_directories of the one folder.
  void load_directory(const std::filesystem::path& directory, sdk::Host& host,
                      std::vector<LoadFailure>& failures) {
    load_directories({directory}, host, failures);
  }

  // Registers a family directly, replacing any family of the same name; for tests that want a
  // family without building a plugin.
  void add(LoadedFamily family);

  // The family named `family_name`, or nullptr. The pointer is valid until the registry changes.
  const LoadedFamily* find(std::string_view family_name) const;

  // Loaded family names, sorted.
  std::vector<std::string> names() const;

 private:
  bool loaded_from(std::string_view path) const;
  void load_candidates(const std::filesystem::path& directory,
                       const std::vector<std::filesystem::path>& allowed, sdk::Host& host,
                       std::vector<LoadFailure>& failures);

  std::map<std::string, LoadedFamily, std::less<>> families_;
};

}  // namespace lmp::plugin
