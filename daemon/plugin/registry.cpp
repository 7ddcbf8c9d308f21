// Loading the plugin folders into the family registry, with the folders' containment rule and
// the one-plugin-per-family rule.
#include "plugin/registry.hpp"

#include <algorithm>
#include <optional>
#include <system_error>
#include <utility>

namespace lmp::plugin {
namespace {

namespace fs = std::filesystem;

bool has_so_suffix(const fs::path& name) {
  const std::string text = name.string();
  return text.size() > 3 && text.compare(text.size() - 3, 3, ".so") == 0;
}

// True when `target` is `directory` itself or lies under it; both must be canonical.
bool inside(const fs::path& directory, const fs::path& target) {
  auto dir_it = directory.begin();
  auto target_it = target.begin();
  for (; dir_it != directory.end(); ++dir_it, ++target_it) {
    if (target_it == target.end() || *dir_it != *target_it) return false;
  }
  return true;
}

// A folder's canonical path, or nullopt with its failure recorded.
std::optional<fs::path> usable_directory(const fs::path& directory,
                                         std::vector<LoadFailure>& failures) {
  std::error_code ec;
  const auto status = fs::status(directory, ec);
  if (!fs::exists(status)) {
    failures.push_back({directory.string(), ec && ec != std::errc::no_such_file_or_directory
                                                ? "cannot access plugin directory: " + ec.message()
                                                : std::string("plugin directory does not exist")});
    return std::nullopt;
  }
  if (!fs::is_directory(status)) {
    failures.push_back({directory.string(), "plugin directory is not a directory"});
    return std::nullopt;
  }
  fs::path real_directory = fs::canonical(directory, ec);
  if (ec) {
    failures.push_back({directory.string(), "cannot resolve plugin directory: " + ec.message()});
    return std::nullopt;
  }
  return real_directory;
}

}  // namespace

void FamilyRegistry::load_directories(const std::vector<fs::path>& directories, sdk::Host& host,
                                      std::vector<LoadFailure>& failures) {
  std::vector<fs::path> usable;   // as given
  std::vector<fs::path> allowed;  // canonical
  for (const auto& directory : directories) {
    if (auto real = usable_directory(directory, failures)) {
      usable.push_back(directory);
      allowed.push_back(std::move(*real));
    }
  }
  for (const auto& directory : usable) load_candidates(directory, allowed, host, failures);
}

void FamilyRegistry::load_candidates(const fs::path& directory,
                                     const std::vector<fs::path>& allowed, sdk::Host& host,
                                     std::vector<LoadFailure>& failures) {
  std::error_code ec;
  std::vector<fs::directory_entry> candidates;
  fs::directory_iterator it(directory, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (has_so_suffix(it->path().filename())) candidates.push_back(*it);
  }
  if (ec) {
    failures.push_back({directory.string(), "cannot read plugin directory: " + ec.message()});
    return;
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const fs::directory_entry& a, const fs::directory_entry& b) {
              return a.path().filename() < b.path().filename();
            });

  for (const auto& entry : candidates) {
    const fs::path& path = entry.path();
    if (loaded_from(path.string())) continue;
    if (entry.is_symlink(ec)) {
      const fs::path target = fs::canonical(path, ec);
      if (ec) {
        failures.push_back({path.string(), "cannot resolve symlink: " + ec.message()});
        continue;
      }
      if (std::none_of(allowed.begin(), allowed.end(),
                       [&](const fs::path& folder) { return inside(folder, target); })) {
        failures.push_back({path.string(), "symlink resolves outside the plugin directories, to " +
                                               target.string()});
        continue;
      }
    }

    auto result = load_family_plugin(path, host);
    if (auto* failure = std::get_if<LoadFailure>(&result)) {
      failures.push_back(std::move(*failure));
      continue;
    }
    auto& loaded = std::get<LoadedFamily>(result);
    if (const LoadedFamily* existing = find(loaded.name)) {
      failures.push_back(
          {path.string(), "family '" + loaded.name + "' is already loaded from " + existing->path});
      continue;
    }
    std::string name = loaded.name;
    families_.emplace(std::move(name), std::move(loaded));
  }
}

void FamilyRegistry::add(LoadedFamily family) {
  std::string name = family.name;
  families_.insert_or_assign(std::move(name), std::move(family));
}

bool FamilyRegistry::loaded_from(std::string_view path) const {
  return std::any_of(families_.begin(), families_.end(),
                     [path](const auto& entry) { return entry.second.path == path; });
}

const LoadedFamily* FamilyRegistry::find(std::string_view family_name) const {
  const auto it = families_.find(family_name);
  return it == families_.end() ? nullptr : &it->second;
}

std::vector<std::string> FamilyRegistry::names() const {
  std::vector<std::string> names;
  names.reserve(families_.size());
  for (const auto& [name, family] : families_) names.push_back(name);
  return names;
}

}  // namespace lmp::plugin
